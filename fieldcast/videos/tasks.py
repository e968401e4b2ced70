"""Celery tasks of the videos app (thin: they call a service)."""

from __future__ import annotations

from celery import shared_task

from fieldcast.videos import services


@shared_task(name="fieldcast.videos.tasks.uploads_expire", queue="default", ignore_result=True)
def uploads_expire() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): remove the bytes of unfinished uploads past their expiry
    and tell their reporters why the video failed."""
    return services.uploads_expire()
