"""Recompute every cached total from the ledger and report (and by default fix) differences.

The ledger is the truth; `PointsAccount.total` and `PointsPeriodTotal.points` are caches. This
module compares them with sums over `PointEvent` in a few grouped queries, then fixes only the
users that differ, each under the same row lock the award services take.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from fieldcast.points import levels
from fieldcast.points.models import Period, PointEvent, PointsAccount, PointsPeriodTotal


@dataclass
class RebuildReport:
    ledger_rows: int = 0
    users: int = 0
    total_differences: list[tuple[int, int, int]] = field(default_factory=list)
    period_differences: list[tuple[int, str, date, int, int]] = field(default_factory=list)
    fixed: bool = False


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _ledger_periods() -> dict[tuple[int, str, date], int]:
    sums: dict[tuple[int, str, date], int] = {}
    for period, trunc in ((Period.WEEK.value, TruncWeek), (Period.MONTH.value, TruncMonth)):
        rows = (
            PointEvent.objects.annotate(start=trunc("created_at"))
            .values_list("user_id", "start")
            .annotate(points=Sum("points"))
            .order_by()
        )
        for user_id, start, points in rows:
            sums[(user_id, period, _day(start))] = int(points)
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
            for period, trunc in (
                (Period.WEEK.value, TruncWeek),
                (Period.MONTH.value, TruncMonth),
            ):
                sums = {
                    _day(start): int(points)
                    for start, points in PointEvent.objects.filter(user_id=user_id)
                    .annotate(start=trunc("created_at"))
                    .values_list("start")
                    .annotate(points=Sum("points"))
                    .order_by()
                }
                PointsPeriodTotal.objects.filter(user_id=user_id, period=period).exclude(
                    start__in=list(sums)
                ).update(points=0)
                for start, points in sums.items():
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
