"""Recompute every cached total from the ledger and report (and by default fix) differences.

The ledger is the truth; `PointsAccount.total` and `PointsPeriodTotal.points` are caches. This
module compares them with sums over `PointEvent` in a few grouped queries, then fixes only the
users that differ, each under the same row lock the award services take.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Sum

from fieldcast.points import levels
from fieldcast.points.models import Period, PointEvent, PointsAccount, PointsPeriodTotal


@dataclass
class RebuildReport:
    ledger_rows: int = 0
    users: int = 0
    total_differences: list[tuple[int, int, int]] = field(default_factory=list)
    period_differences: list[tuple[int, str, date, int, int]] = field(default_factory=list)
    fixed: bool = False


def _ledger_periods(user_id: int | None = None) -> dict[tuple[int, str, date], int]:
    """Sum of points per (user, period, start), grouped in the database on the event's own
    week/month columns (no per-row date arithmetic)."""
    events = PointEvent.objects.all()
    if user_id is not None:
        events = events.filter(user_id=user_id)
    sums: dict[tuple[int, str, date], int] = {}
    for period in (Period.WEEK.value, Period.MONTH.value):
        rows = events.values_list("user_id", period).annotate(points=Sum("points")).order_by()
        for owner, start, points in rows:
            sums[(owner, period, start)] = int(points)
    return sums


def points_rebuild_compare() -> RebuildReport:
    """Compare caches with the ledger; change nothing."""
    report = RebuildReport(ledger_rows=PointEvent.objects.count())
    ledger = dict(
        PointEvent.objects.values_list("user_id").annotate(total=Sum("points")).order_by()
    )
    cached = dict(PointsAccount.objects.values_list("user_id", "total"))
    report.users = len(set(ledger) | set(cached))
    for user_id in sorted(set(ledger) | set(cached)):
        want, have = int(ledger.get(user_id, 0)), int(cached.get(user_id, 0))
        if want != have or (user_id in ledger and user_id not in cached):
            report.total_differences.append((user_id, have, want))
    periods = _ledger_periods()
    stored = {
        (user_id, period, start): int(points)
        for user_id, period, start, points in PointsPeriodTotal.objects.values_list(
            "user_id", "period", "start", "points"
        )
    }
    for key in sorted(set(periods) | set(stored)):
        want, have = periods.get(key, 0), stored.get(key, 0)
        if want != have:
            report.period_differences.append((*key, have, want))
    return report


def points_rebuild_fix(*, report: RebuildReport) -> None:
    """Set every differing cache to its ledger sum, user by user, under the account lock."""
    users = {row[0] for row in report.total_differences} | {
        row[0] for row in report.period_differences
    }
    for user_id in sorted(users):
        with transaction.atomic():
            PointsAccount.objects.bulk_create(
                [PointsAccount(user_id=user_id)], ignore_conflicts=True
            )
            account = PointsAccount.objects.select_for_update().get(user_id=user_id)
            total = PointEvent.objects.filter(user_id=user_id).aggregate(t=Sum("points"))["t"]
            account.total = int(total or 0)
            account.level = levels.level_for(account.total)
            account.save(update_fields=["total", "level", "updated_at"])
            sums = _ledger_periods(user_id)
            PointsPeriodTotal.objects.filter(user_id=user_id).update(points=0)
            for (_owner, period, start), points in sums.items():
                PointsPeriodTotal.objects.update_or_create(
                    user_id=user_id,
                    period=period,
                    start=start,
                    defaults={
                        "points": points,
                        "city": account.city,
                        "hidden": account.hide_from_boards,
                    },
                )
    report.fixed = True
