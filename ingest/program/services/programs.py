"""Channels: the default `main` and the ones staff add."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from fieldcast.accounts.guards import require_permission
from fieldcast.accounts.models import User
from fieldcast.core import domain_events
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import Conflict, ValidationFailed
from ingest.models import Program
from ingest.program import selectors
from ingest.program.domain_events import ProgramCreated

# /live/<slug>/ shares its prefix with the ingest's own pages.
RESERVED_SLUGS = frozenset({"go", "sources", "whip", "whep", "srt", "keys", "recordings"})


def program_default() -> Program:
    """The default channel `main` (the migration creates it; a wiped database gets it back)."""
    program, _created = Program.objects.get_or_create(
        slug=selectors.DEFAULT_SLUG, defaults={"name": "Main"}
    )
    return program


def _check_dimension(value: int, *, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(
            _("%(name)s must be a whole number from %(low)d to %(high)d.")
            % {"name": name, "low": low, "high": high},
            fields={name: [_("Out of range.")]},
        )
    return value


@transaction.atomic
def program_create(
    *,
    staff: User,
    slug: str,
    name: str,
    width: int = 1280,
    height: int = 720,
    fps: int = 25,
) -> Program:
    """Staff add a channel (the default `main` always exists)."""
    require_permission(staff, "promote_reporter", message=_("Only staff can create channels."))
    slug = (slug or "").strip().lower()
    name = (name or "").strip()
    try:
        validate_slug(slug)
    except ValidationError as error:
        raise ValidationFailed(
            _("Use letters, numbers, hyphens or underscores for the channel's address."),
            fields={"slug": [_("Not a valid address.")]},
        ) from error
    if len(slug) > 50 or slug in RESERVED_SLUGS:
        raise ValidationFailed(
            _("This address cannot be used for a channel."),
            fields={"slug": [_("Reserved or too long.")]},
        )
    if not name or len(name) > 100:
        raise ValidationFailed(
            _("Give the channel a name (100 characters at most)."),
            fields={"name": [_("This field is required.")]},
        )
    width = _check_dimension(width, name="width", low=160, high=3840)
    height = _check_dimension(height, name="height", low=120, high=2160)
    fps = _check_dimension(fps, name="fps", low=1, high=60)
    if width % 2 or height % 2:
        raise ValidationFailed(
            _("Width and height must be even numbers."),
            fields={"width": [_("Even numbers only.")], "height": [_("Even numbers only.")]},
        )
    if Program.objects.filter(slug=slug).exists():
        raise Conflict(_("A channel with this address already exists."), code=ErrorCode.SLUG_TAKEN)
    program = Program.objects.create(slug=slug, name=name, width=width, height=height, fps=fps)
    # The community opens the channel's chat (chats exist only for the newsroom's channels).
    domain_events.publish_on_commit(ProgramCreated(slug=program.slug))
    return program
