"""Community background work: event reminders (a day and an hour before the start)."""

from __future__ import annotations

from celery import shared_task

from community.events.services import event_reminders_send


@shared_task(
    name="community.event_reminders",
    acks_late=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=180,
)
def event_reminders() -> int:
    """Send the reminders that are due. Safe to run twice at once or again: each reminder is
    claimed with a conditional update before it is sent."""
    return event_reminders_send()
