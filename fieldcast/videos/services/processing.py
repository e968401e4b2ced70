"""The transcode pipeline's moves (`fieldcast.videos.transcoding`): start, progress, succeed, fail."""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction

from fieldcast.core import events
from fieldcast.videos.models import Video, VideoState
from fieldcast.videos.services.transitions import (
    _check_transition,
    _locked_video,
    _publish_state_on_commit,
)

CHECKS_TASK = "moderation.tasks.run_automatic_checks"


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
    # Moderation's automatic checks run before a human looks (sent by name: no import cycle).
    transaction.on_commit(lambda: current_app.send_task(CHECKS_TASK, args=[video_id]))
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
