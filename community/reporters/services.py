"""Following and unfollowing reporters."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from community.models import (
    Follow,
)
from fieldcast.accounts import roles
from fieldcast.accounts.guards import require_user
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
)


def follow_create(*, user: User | AnonymousUser, reporter_id: int) -> Follow:
    """Follow a reporter (anyone who can upload); following yourself is refused."""
    follower = require_user(user)
    if follower.pk == reporter_id:
        message = _("You cannot follow yourself.")
        raise ValidationFailed(message, code=ErrorCode.SELF_FOLLOW, fields={"reporter": [message]})
    reporter = User.objects.filter(pk=reporter_id, is_active=True).first()
    if reporter is None or not roles.has_role_permission(reporter, "upload_video"):
        raise NotFound(_("We could not find that reporter."))
    try:
        with transaction.atomic():
            return Follow.objects.create(follower=follower, reporter=reporter)
    except IntegrityError as exc:
        raise Conflict(
            _("You already follow this reporter."), code=ErrorCode.ALREADY_FOLLOWING
        ) from exc


@transaction.atomic
def follow_delete(*, user: User | AnonymousUser, reporter_id: int) -> None:
    follower = require_user(user)
    deleted, _rows = Follow.objects.filter(follower=follower, reporter_id=reporter_id).delete()
    if not deleted:
        raise NotFound(_("You do not follow this reporter."), code=ErrorCode.NOT_FOLLOWING)
