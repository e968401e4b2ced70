"""Moderation's Celery tasks: thin wrappers that take ids and call moderation.checks."""

from __future__ import annotations

from celery import shared_task

from moderation import checks


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1800,
    time_limit=1900,
    ignore_result=True,
)
def run_automatic_checks(video_id: int) -> None:
    """Term filter, technical flags and fingerprint match for a video waiting for review.

    Safe to run twice: results are stored per video (latest run wins) and the queue item's flags
    are replaced, never appended.
    """
    checks.video_checks_run(video_id=video_id)
