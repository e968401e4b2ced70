"""The video state machine's guard: lock the row, check the move, tell the owner after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fieldcast.core import events
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import Conflict, NotFound
from fieldcast.videos.models import VIDEO_TRANSITIONS, Video, VideoState


class InvalidVideoTransition(Conflict):
    default_code = ErrorCode.INVALID_STATE


def _locked_video(video_id: int) -> Video:
    try:
        return Video.objects.select_for_update().get(pk=video_id)
    except Video.DoesNotExist as exc:
        raise NotFound(_("We could not find that video.")) from exc


def _check_transition(video: Video, target: str, *, allowed_from: set[str] | None = None) -> None:
    if target not in VIDEO_TRANSITIONS.get(video.state, set()) or (
        allowed_from is not None and video.state not in allowed_from
    ):
        raise InvalidVideoTransition(
            _("This video is %(state)s and cannot become %(target)s.")
            % {
                "state": VideoState(video.state).label,
                "target": VideoState(target).label,
            }
        )


def _publish_state_on_commit(video: Video) -> None:
    event = video_state_event(video)
    owner_id = video.owner_id
    transaction.on_commit(lambda: events.publish(group=events.user_group(owner_id), event=event))


def video_state_event(video: Video) -> dict[str, Any]:
    """The "video.state" event: everything the upload page needs to redraw one video."""
    return {
        "type": "video.state",
        "video_id": video.pk,
        "state": video.state,
        "state_label": str(VideoState(video.state).label),
        "reason": video.state_reason,
        "progress": video.progress,
    }
