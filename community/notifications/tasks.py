"""The periodic email digest task (registered through CELERY_IMPORTS; thin: calls the service)."""

from __future__ import annotations

from celery import shared_task

from community.notifications import digest


@shared_task(
    name="community.digests_send",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=600,
    time_limit=660,
    ignore_result=True,
)
def digests_send() -> int:
    """Send every digest that is due. Safe to run twice or concurrently: each (person, period)
    digest is taken once in the database before its email goes out."""
    return digest.digests_send_due()
