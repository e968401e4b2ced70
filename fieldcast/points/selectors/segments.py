"""The staff dashboard's audience segments and daily activity."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldcast.accounts.models import User
from fieldcast.points.models import Activity, ActivityKind

SEGMENTS = ("core_reporters", "occasional_reporters", "commenters", "watchers", "inactive")
RECENT_DAYS = 30
LONG_DAYS = 90
CORE_RECENT = 4  # contributions (finished uploads and live streams) in the last 30 days …
CORE_LONG = 10  # … or in the last 90 days
CONTRIBUTIONS = (ActivityKind.UPLOAD, ActivityKind.LIVE)


def segment_labels() -> dict[str, str]:
    return {
        "core_reporters": _("Core reporters (4+ uploads or lives in 30 days, or 10+ in 90 days)"),
        "occasional_reporters": _("Occasional reporters (some uploads or lives in 90 days)"),
        "commenters": _("Commenters (comments in 30 days, no uploads or lives)"),
        "watchers": _("Watchers (views, likes or logins in 30 days only)"),
        "inactive": _("Inactive (nothing in 30 days)"),
    }


def _segment_rows() -> QuerySet[Any, dict[str, Any]]:
    """One row per person with activity in the last 90 days: contributions (uploads and lives)
    in 30 and 90 days, comments and any activity in 30 days. One grouped query over the trail
    (index day, kind, user)."""
    today = timezone.localdate()
    recent = today - timedelta(days=RECENT_DAYS - 1)
    return (
        Activity.objects.filter(
            day__gte=today - timedelta(days=LONG_DAYS - 1),
            user__isnull=False,
            user__is_active=True,
        )
        .values("user_id")
        .annotate(
            recent=Count("pk", filter=Q(kind__in=CONTRIBUTIONS, day__gte=recent)),
            long=Count("pk", filter=Q(kind__in=CONTRIBUTIONS)),
            comments=Count("pk", filter=Q(kind=ActivityKind.COMMENT, day__gte=recent)),
            seen=Count("pk", filter=Q(day__gte=recent)),
        )
        .order_by()
    )


# Each segment as a condition on those rows, in the order they are checked.
_CORE = Q(recent__gte=CORE_RECENT) | Q(long__gte=CORE_LONG)
SEGMENT_RULES: dict[str, Q] = {
    "core_reporters": _CORE,
    "occasional_reporters": ~_CORE & Q(long__gte=1),
    "commenters": Q(long=0, comments__gte=1),
    "watchers": Q(long=0, comments=0, seen__gte=1),
}


def user_segments() -> list[tuple[str, str, int]]:
    """(segment, label, users) for every segment; "inactive" holds every other active account
    (nothing in 30 days and no contribution in 90). Counted in the database: the grouped rows
    get their segment in a CASE (the same order as SEGMENT_RULES) and only five counts return."""
    rows = _segment_rows().values("user_id", "recent", "long", "comments", "seen")
    sql, params = rows.query.sql_with_params()
    q = connection.ops.quote_name
    case = (
        f"CASE WHEN {q('recent')} >= {CORE_RECENT:d} OR {q('long')} >= {CORE_LONG:d} "
        f"THEN 'core_reporters' WHEN {q('long')} >= 1 THEN 'occasional_reporters' "
        f"WHEN {q('comments')} >= 1 THEN 'commenters' WHEN {q('seen')} >= 1 THEN 'watchers' "
        "ELSE 'inactive' END"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT segment, COUNT(*) FROM (SELECT {case} AS segment FROM ({sql}) AS people) "  # noqa: S608 - ORM SQL and constants only
            "AS segmented GROUP BY segment",
            params,
        )
        counts = dict.fromkeys(SEGMENTS, 0) | dict(cursor.fetchall())
    active = User.objects.filter(is_active=True).count()
    counts["inactive"] = active - sum(n for name, n in counts.items() if name != "inactive")
    labels = segment_labels()
    return [(name, labels[name], counts[name]) for name in SEGMENTS]


def segment_users(*, segment: str) -> QuerySet[User]:
    """The users in one segment, for the CSV export: the segment's rule runs in the database
    (a grouped subquery), so a segment of any size needs no list of ids."""
    users = User.objects.filter(is_active=True).order_by("pk")
    if segment == "inactive":
        active = _segment_rows().filter(Q(long__gte=1) | Q(seen__gte=1)).values("user_id")
        return users.exclude(pk__in=active)
    rule = SEGMENT_RULES.get(segment)
    if rule is None:
        return users.none()
    return users.filter(pk__in=_segment_rows().filter(rule).values("user_id"))


def daily_active_users(*, days: int = RECENT_DAYS) -> list[tuple[date, int]]:
    """Distinct signed-in people in the activity trail per day, oldest first (gaps as 0)."""
    first = timezone.localdate() - timedelta(days=days - 1)
    counts = dict(
        Activity.objects.filter(day__gte=first, user__isnull=False)
        .values("day")
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
        .values_list("day", "n")
    )
    return [
        (first + timedelta(days=n), counts.get(first + timedelta(days=n), 0)) for n in range(days)
    ]


def activity_by_kind(*, days: int = RECENT_DAYS) -> list[tuple[str, str, int]]:
    """(kind, label, rows) in the trail over the last `days` days, anonymous views included."""
    first = timezone.localdate() - timedelta(days=days - 1)
    counts = dict(
        Activity.objects.filter(day__gte=first)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("kind", "n")
    )
    return [(kind, str(label), counts.get(kind, 0)) for kind, label in ActivityKind.choices]
