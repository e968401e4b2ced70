"""Celery tasks of the videos app. Thin: they take ids and call a service or the transcode pipeline.

The services enqueue these tasks (imported at the top of the services); the tasks import what
they run inside their bodies, so loading this module never loads the services and the two do not
form an import cycle. The registered names are explicit: CELERY_TASK_ROUTES and the beat schedule
in settings refer to them.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    # The name predates this module: routes and queued messages refer to it.
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
    from fieldcast.videos import transcoding  # in the body: see the module docstring

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


@shared_task(name="fieldcast.videos.tasks.uploads_expire", queue="default", ignore_result=True)
def uploads_expire() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): remove the bytes of unfinished uploads past their expiry
    and tell their reporters why the video failed."""
    from fieldcast.videos import services  # in the body: see the module docstring

    return services.uploads_expire()
