"""The queue's priority rules, all in this one place.

A case's priority is expressed as a boost in hours: the queue sorted "by priority" orders cases by
``created_at - boost``, so a boosted case sorts as if it had waited longer. Age therefore always
counts (nothing waits forever behind boosted items), and the sort key never goes stale: it is
stored on the case and recomputed whenever an input (flags, trust, reports) changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings


def priority_boost_hours(
    *,
    kind: str,
    flags: list[str],
    trusted_reporter: bool,
    report_count: int = 0,
    urgent_assignment: bool = False,
) -> float:
    """How many hours older than its real age a case should sort."""
    hours = settings.MODERATION_PRIORITY_HOURS
    boost = 0.0
    if trusted_reporter:
        boost += hours["trusted_reporter"]
    if urgent_assignment:
        boost += hours["urgent_assignment"]
    for flag in flags:
        boost += hours["reupload"] if flag == "reupload" else hours["flag"]
    if kind == "appeal":
        boost += hours["appeal"]
    if kind == "report":
        # Each distinct reporter pushes a reported video up; hidden videos are waiting on us.
        boost += hours["report"] * max(report_count, 1)
    return boost


def priority_at(*, created_at: datetime, boost_hours: float) -> datetime:
    """The stored sort key: earlier means reviewed sooner."""
    return created_at - timedelta(hours=boost_hours)


def priority_score(*, created_at: datetime, boost_hours: float, now: datetime) -> float:
    """A number for people: hours waited plus the boost (higher is more urgent)."""
    return round((now - created_at).total_seconds() / 3600 + boost_hours, 1)
