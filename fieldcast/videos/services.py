"""Every write a video goes through: upload, processing, publishing.

Each service owns one transaction, locks the video row and checks the move against
`VIDEO_TRANSITIONS`. Side effects (websocket events, Celery tasks) run after commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldcast.accounts import roles
from fieldcast.accounts.models import User
from fieldcast.core import events
from fieldcast.core.errors import Conflict, NotFound, PermissionDenied
from fieldcast.videos.models import VIDEO_TRANSITIONS, Video, VideoState


class InvalidVideoTransition(Conflict):
    default_code = "invalid_state"


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


# --- Processing (called by media_workers.tasks.transcode_video) -------------------------------


@transaction.atomic
def video_processing_start(*, video_id: int) -> Video:
    """uploaded|processing -> processing, progress 0.

    Idempotent: a retried task calls it again on a video already processing. Any other state
    raises `InvalidVideoTransition` (the task then gives up quietly).
    """
    video = _locked_video(video_id)
    _check_transition(
        video, VideoState.PROCESSING, allowed_from={VideoState.UPLOADED, VideoState.PROCESSING}
    )
    video.state = VideoState.PROCESSING
    video.progress = 0
    video.state_reason = ""
    video.save(update_fields=["state", "progress", "state_reason", "updated_at"])
    _publish_state_on_commit(video)
    return video


@transaction.atomic
def video_processing_progress(*, video_id: int, percent: int) -> None:
    """Store the transcode progress (0-100) and tell the owner's sockets."""
    percent = max(0, min(100, int(percent)))
    video = _locked_video(video_id)
    if video.state != VideoState.PROCESSING:
        return  # a late report from a task that no longer owns the video
    video.progress = percent
    video.save(update_fields=["progress", "updated_at"])
    event = {"type": "video.progress", "video_id": video.pk, "percent": percent}
    owner_id = video.owner_id
    transaction.on_commit(lambda: events.publish(group=events.user_group(owner_id), event=event))


@transaction.atomic
def video_processing_succeed(
    *,
    video_id: int,
    version: int,
    output_prefix: str,
    renditions: list[dict[str, Any]],
    poster_key: str,
    thumbnails_key: str,
    download_key: str,
    probe: dict[str, Any],
) -> Video:
    """processing -> pending_review with the published outputs of `version` and the probe facts.

    `probe` holds duration_seconds, width, height, frame_rate and capture_metadata (device/GPS
    tags, kept for editors only; never in any output file).
    """
    video = _locked_video(video_id)
    _check_transition(video, VideoState.PENDING_REVIEW, allowed_from={VideoState.PROCESSING})
    video.state = VideoState.PENDING_REVIEW
    video.state_reason = ""
    video.progress = 100
    video.version = version
    video.output_prefix = output_prefix
    video.renditions = list(renditions)
    video.poster_key = poster_key
    video.thumbnails_key = thumbnails_key
    video.download_key = download_key
    video.duration_seconds = probe.get("duration_seconds")
    video.width = probe.get("width")
    video.height = probe.get("height")
    video.frame_rate = probe.get("frame_rate")
    video.capture_metadata = probe.get("capture_metadata") or {}
    video.save()
    _publish_state_on_commit(video)
    return video


@transaction.atomic
def video_processing_fail(*, video_id: int, reason: str) -> Video:
    """processing|uploaded -> failed, with a reason the reporter can read."""
    video = _locked_video(video_id)
    _check_transition(
        video, VideoState.FAILED, allowed_from={VideoState.UPLOADED, VideoState.PROCESSING}
    )
    video.state = VideoState.FAILED
    video.state_reason = reason
    video.save(update_fields=["state", "state_reason", "updated_at"])
    _publish_state_on_commit(video)
    return video


# --- Review -------------------------------------------------------------------------------------


@transaction.atomic
def video_publish(*, video: Video, editor: User, verification: str = "") -> Video:
    """pending_review -> published by an editor (moderate_content), with their verification note."""
    if not roles.has_role_permission(editor, "moderate_content"):
        raise PermissionDenied(_("Only editors can publish videos."))
    locked = _locked_video(video.pk)
    _check_transition(locked, VideoState.PUBLISHED, allowed_from={VideoState.PENDING_REVIEW})
    locked.state = VideoState.PUBLISHED
    locked.published_at = timezone.now()
    locked.verification_note = verification
    locked.reviewed_by = editor
    locked.save(
        update_fields=["state", "published_at", "verification_note", "reviewed_by", "updated_at"]
    )
    _publish_state_on_commit(locked)
    return locked
