"""Points background work: the monthly viewer-rating bonus."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from fieldcast.points.services import rating_month_bonus_pay


@shared_task(
    name="points.rating_month_bonus",
    acks_late=True,
    max_retries=3,
    soft_time_limit=300,
    time_limit=360,
)
def rating_month_bonus(month: str | None = None) -> int:
    """Pay last month's (or `month`, "YYYY-MM") top-3 rated reporters. Safe to run again:
    each place has its own deed key, so a second run pays nothing."""
    if month:
        target = date.fromisoformat(f"{month}-01")
    else:
        target = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    return len(rating_month_bonus_pay(month=target))
