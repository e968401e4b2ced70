"""What every community feature checks first: which video may be talked about, text fields
cleaned the same way everywhere, and the numbers pages parse. Who is signed in and who is an
editor are `fieldcast.accounts.guards`' questions.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _

from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import NotFound, ValidationFailed
from fieldcast.videos.models import Video, VideoState
from fieldcast.videos.selectors import video_for_viewer


def published_video(*, video_id: int, user: User | AnonymousUser) -> Video:
    """The video if this person may see it AND it is published: nobody talks about drafts."""
    video = video_for_viewer(video_id=video_id, user=user)
    if video.state != VideoState.PUBLISHED:
        raise NotFound(_("We could not find that video."))
    return video


def clean_text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    """`value` without NUL bytes and outer spaces; refused (on `field`) when empty or too long."""
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        message = _("This field is required.")
        raise ValidationFailed(message, fields={field: [message]})
    if len(text) > limit:
        message = _("At most %(limit)d characters (this is %(length)d).") % {
            "limit": limit,
            "length": len(text),
        }
        raise ValidationFailed(message, code=ErrorCode.TOO_LONG, fields={field: [message]})
    return text


def int_or_none(value: str | None) -> int | None:
    """A whole number from a form field, or None when it is missing or not a number."""
    try:
        return int(value) if value else None
    except ValueError:
        return None


def page_number(request: HttpRequest) -> int:
    """The `?page=` of a list page: 1 when missing or not a number, at most 10 000."""
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1
