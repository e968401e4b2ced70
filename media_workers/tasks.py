"""Celery tasks of the media workers. Thin: they take ids and hand over to `media_workers.transcoding`."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings

from media_workers import transcoding

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="media_workers.transcode_video",
    # Routed to the `transcode` queue by CELERY_TASK_ROUTES (the `queue` attribute is deprecated).
    # A worker that dies mid-transcode must not lose the job: the message is acknowledged only when
    # the task returns, and requeued if the pool process is killed. Running twice is safe: every
    # attempt rewrites the same deterministic output prefix and publishes it last.
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.TRANSCODE_SOFT_TIME_LIMIT,
    time_limit=settings.TRANSCODE_TIME_LIMIT,
    max_retries=settings.TRANSCODE_MAX_RETRIES,
    ignore_result=True,
)
def transcode_video(self: Task, video_id: int) -> None:
    """Probe, validate and transcode an uploaded video into HLS renditions, poster, thumbnails
    and a download MP4, then move it to review (or to failed, with a reason the reporter can read).

    Only transient errors (storage or database unreachable) are retried, with exponential backoff;
    a bad file fails at once.
    """
    try:
        transcoding.video_transcode(video_id=video_id)
    except transcoding.TransientError as exc:
        retries = self.request.retries or 0
        if retries >= (self.max_retries or 0):
            logger.warning("transcode of video %s gave up after %s retries", video_id, retries)
            transcoding.video_transcode_give_up(video_id=video_id)
            return
        countdown = min(settings.TRANSCODE_RETRY_BACKOFF_SECONDS * 2**retries, 3600)
        raise self.retry(exc=exc, countdown=countdown) from exc
