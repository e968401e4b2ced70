"""The staff dashboard's reads: star reporters, participation, weekly uploads and approvals,
promotions, active reporters, the points distribution and the tier funnel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.points import levels
from fieldcast.points.models import (
    Activity,
    ActivityKind,
    PointEvent,
    PointsAccount,
    PromotionRecord,
    Tier,
)
from fieldcast.points.rules import Rule
from fieldcast.points.selectors.records import REPORTER_RULES, is_network_reporter, reporter_record
from fieldcast.points.selectors.segments import CONTRIBUTIONS
from fieldcast.videos.models import Video, VideoState


@dataclass(frozen=True)
class StarReporter:
    user: User
    account: PointsAccount
    record: levels.ReporterRecord
    network_reporter: bool


def star_reporters() -> list[StarReporter]:
    """Star reporters with their record, for the promotion page."""
    accounts = (
        PointsAccount.objects.filter(tier=Tier.STAR).select_related("user").order_by("-total")
    )
    return [
        StarReporter(
            user=account.user,
            account=account,
            record=reporter_record(user=account.user, total=account.total),
            network_reporter=is_network_reporter(user=account.user),
        )
        for account in accounts[:200]
    ]


@dataclass(frozen=True)
class Participation:
    uploads: int
    approved: int
    originals: int
    comments: int
    lives: int = 0
    last_active: date | None = None

    @property
    def score(self) -> int:
        """Approved clips weigh most, then originals; uploads, lives and comments count once."""
        return 3 * self.approved + 2 * self.originals + self.uploads + self.lives + self.comments


def participation(*, user: User) -> Participation:
    """A user's participation for the staff side of their page (three queries): clips from
    videos, original footage from the ledger (still standing), comments and lives from the
    activity trail."""
    videos = Video.objects.filter(owner=user).aggregate(
        uploads=Count("pk"), approved=Count("pk", filter=Q(state=VideoState.PUBLISHED))
    )
    originals = PointEvent.objects.filter(
        user=user, rule=Rule.ORIGINAL_FOOTAGE, reverses__isnull=True, reversed_by__isnull=True
    ).count()
    trail = Activity.objects.filter(user=user).aggregate(
        comments=Count("pk", filter=Q(kind=ActivityKind.COMMENT)),
        lives=Count("pk", filter=Q(kind=ActivityKind.LIVE)),
        last=Max("day"),
    )
    return Participation(
        uploads=videos["uploads"],
        approved=videos["approved"],
        originals=originals,
        comments=trail["comments"],
        lives=trail["lives"],
        last_active=trail["last"],
    )


def uploads_and_approvals_by_week(*, weeks: int = 12) -> list[tuple[date, int, int]]:
    """(week, clips uploaded, clips published) for the last `weeks` weeks, oldest first."""
    today = timezone.localdate()
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    since = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    uploads = {
        _as_date(row["week"]): row["n"]
        for row in Video.objects.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    }
    approvals = {
        _as_date(row["week"]): row["n"]
        for row in Video.objects.filter(published_at__gte=since)
        .annotate(week=TruncWeek("published_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    }
    result = []
    for n in range(weeks):
        week = first + timedelta(weeks=n)
        result.append((week, uploads.get(week, 0), approvals.get(week, 0)))
    return result


def promotion_history(*, limit: int = 50) -> list[PromotionRecord]:
    return list(
        PromotionRecord.objects.select_related("user", "by").order_by("-created_at", "-pk")[:limit]
    )


def active_reporters_by_week(*, weeks: int = 12) -> list[tuple[date, int]]:
    """Distinct reporters each week, oldest first (empty weeks as 0): people who earned
    reporter points that week, or who finished an upload or went live (the activity trail).

    One query: the (week, person) pairs of both tables are merged with UNION (which drops
    duplicates) and counted per week in the database, so only a dozen rows come back."""
    today = timezone.localdate()
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    paid = (
        PointEvent.objects.filter(week__gte=first, rule__in=REPORTER_RULES, reverses__isnull=True)
        .values_list("week", "user_id")
        .order_by()
    )
    contributed = (
        Activity.objects.filter(day__gte=first, kind__in=CONTRIBUTIONS, user__isnull=False)
        .annotate(week=TruncWeek("day"))
        .values_list("week", "user_id")
        .order_by()
    )
    counts = {_as_date(week): n for week, n in _count_union("week", paid, contributed)}
    return [
        (first + timedelta(weeks=n), counts.get(first + timedelta(weeks=n), 0))
        for n in range(weeks)
    ]


def _count_union(column: str, *parts: QuerySet[Any, Any]) -> list[tuple[Any, int]]:
    """COUNT(*) per value of `column` over the UNION of ORM querysets (duplicates dropped).
    Only the querysets' own SQL and parameters go into the statement; `column` is the name of
    the first queryset's first column."""
    sqls: list[str] = []
    params: list[Any] = []
    for part in parts:
        sql, part_params = part.query.sql_with_params()
        sqls.append(sql)
        params.extend(part_params)
    name = connection.ops.quote_name(column)
    union = " UNION ".join(sqls)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {name}, COUNT(*) FROM ({union}) AS pairs GROUP BY {name}",  # noqa: S608
            params,
        )
        return list(cursor.fetchall())


def _as_date(value: date | datetime | str) -> date:
    """A date from what a database returns for one (SQLite gives raw SQL results as text)."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def points_distribution() -> list[tuple[int, int]]:
    """(level, users at that level) for every level, users without points at level 1."""
    counts = dict(PointsAccount.objects.values_list("level").annotate(n=Count("pk")))
    without = User.objects.filter(is_active=True, points_account__isnull=True).count()
    counts[1] = counts.get(1, 0) + without
    return [(level, counts.get(level, 0)) for level in range(1, len(settings.POINTS_LEVELS) + 1)]


def tier_funnel() -> list[tuple[str, str, int]]:
    """(tier code, label, users at that tier or above), viewer first."""
    counts = dict(PointsAccount.objects.values_list("tier").annotate(n=Count("pk")))
    others = User.objects.filter(is_active=True).count() - sum(
        counts.get(code, 0) for code in Tier.values if code != Tier.VIEWER
    )
    counts[Tier.VIEWER.value] = others
    funnel = []
    running = 0
    for code in reversed(Tier.values):
        running += counts.get(code, 0)
        funnel.append((code, levels.tier_label(code), running))
    return list(reversed(funnel))
