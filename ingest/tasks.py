"""Celery tasks of the live ingest (thin: call a service)."""

from __future__ import annotations

from celery import shared_task

from ingest import services


@shared_task(name="ingest.sources_end_stale", queue="default", ignore_result=True)
def sources_end_stale() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): end running sources whose ingest stopped beating (a
    crashed or restarted ingest process), so they do not stay "live" until an editor looks."""
    return services.sources_end_stale()
