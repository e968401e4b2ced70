"""Reads about points: records, the profile card, boards, ratings and the staff dashboard."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Avg, CharField, Count, Max, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Cast, Concat, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fieldcast.accounts.models import User
from fieldcast.core.errors import NotFound
from fieldcast.points import levels
from fieldcast.points.models import (
    Activity,
    ActivityKind,
    Nudge,
    NudgeKind,
    Period,
    PointEvent,
    PointsAccount,
    PointsPeriodTotal,
    PromotionAction,
    PromotionRecord,
    Tier,
    TierChange,
    ViewerRating,
)
from fieldcast.points.rules import Rule
from fieldcast.videos.models import Video, VideoState

BOARDS = ("week", "month", "all")
BOARD_PAGE_SIZE = 50
NUDGE_SHOWN_FOR = timedelta(days=7)
REPORTER_RULES = (
    Rule.VIDEO_PUBLISHED,
    Rule.ORIGINAL_FOOTAGE,
    Rule.USED_ON_AIR,
    Rule.LIVE_APPROVED,
    Rule.ASSIGNMENT_CONTRIBUTION,
)


# --- Records --------------------------------------------------------------------------------


def reporter_record(*, user: User, total: int) -> levels.ReporterRecord:
    """What tiers look at, in one query on videos."""
    counts = Video.objects.filter(owner=user).aggregate(
        published=Count("pk", filter=Q(state=VideoState.PUBLISHED)),
        rejected=Count("pk", filter=Q(state=VideoState.REJECTED)),
    )
    return levels.ReporterRecord(
        total=total,
        published=counts["published"],
        rejected=counts["rejected"],
        account_days=max(0, (timezone.now() - user.date_joined).days),
    )


def reporter_has_published(*, user: User) -> bool:
    return Video.objects.filter(owner=user, state=VideoState.PUBLISHED).exists()


def has_watched(*, viewer: User, reporter: User) -> bool:
    """Did the viewer watch (a counted view in the activity trail) any published clip of the
    reporter? Viewers rate only reporters whose work they watched."""
    refs = (
        Video.objects.filter(owner=reporter, state=VideoState.PUBLISHED)
        .annotate(ref=Concat(Value("video:"), Cast("pk", output_field=CharField())))
        .values("ref")
    )
    return Activity.objects.filter(
        user=viewer, kind=ActivityKind.VIEW, obj_ref__in=Subquery(refs)
    ).exists()


def is_network_reporter(*, user: User) -> bool:
    """The latest promotion record decides: promoted and not demoted since."""
    last = PromotionRecord.objects.filter(user=user).order_by("-created_at", "-pk").first()
    return last is not None and last.action == PromotionAction.PROMOTE


def account_for(*, user: User) -> PointsAccount:
    """The user's account, or an unsaved empty one if they never earned a point."""
    account = PointsAccount.objects.filter(user=user).first()
    return account or PointsAccount(user=user, city=user.city)


def user_is_trusted(*, user: User) -> bool:
    """Trusted and star reporters' items go first in moderation (the moderation queue's flag)."""
    return user_id_is_trusted(user_id=user.pk)


def user_id_is_trusted(*, user_id: int) -> bool:
    """The same by id, for callers that hold only an id (moderation's priority)."""
    return PointsAccount.objects.filter(
        user_id=user_id, tier__in=[Tier.TRUSTED, Tier.STAR]
    ).exists()


def point_events_for_user(*, user: User, limit: int = 20) -> list[PointEvent]:
    return list(PointEvent.objects.filter(user=user).order_by("-created_at", "-pk")[:limit])


# --- Profile card ---------------------------------------------------------------------------


def nudge_text(nudge: Nudge) -> str:
    """The nudge in the reader's language, e.g. "12 points to level 5: one published clip …"."""
    clips = ngettext(
        "one published clip would do it",
        "%(count)s published clips would do it",
        nudge.clips,
    ) % {"count": nudge.clips}
    if nudge.kind == NudgeKind.LEVEL:
        return ngettext(
            "%(gap)s point to level %(level)s: %(clips)s.",
            "%(gap)s points to level %(level)s: %(clips)s.",
            nudge.gap,
        ) % {"gap": nudge.gap, "level": nudge.target, "clips": clips}
    return ngettext(
        "%(gap)s point to %(tier)s: %(clips)s.",
        "%(gap)s points to %(tier)s: %(clips)s.",
        nudge.gap,
    ) % {"gap": nudge.gap, "tier": levels.tier_label(nudge.target), "clips": clips}


@dataclass
class PointsSummary:
    total: int
    level: int
    next_level: int | None
    next_level_gap: int | None
    level_progress: int  # percent of the way from this level to the next
    tier: str
    tier_label: str
    next_tier_label: str | None
    next_tier_missing: list[str] = field(default_factory=list)
    nudge: str | None = None
    hidden: bool = False
    network_reporter: bool = False
    last_tier_change: TierChange | None = None


def points_summary(*, user: User) -> PointsSummary:
    """Everything the profile card shows, in a handful of queries."""
    account = account_for(user=user)
    total = int(account.total)
    upcoming = levels.next_level(total)
    level = levels.level_for(total)
    progress = 100
    if upcoming is not None:
        floor = levels_floor(level)
        progress = int(100 * (total - floor) / max(1, upcoming[1] - floor))
    record = reporter_record(user=user, total=total)
    next_tier = levels.tier_next(record)
    missing: list[str] = []
    if next_tier is not None:
        for what, amount in levels.tier_missing(record, next_tier).items():
            missing.append(_missing_text(what, amount, next_tier))
    nudge = (
        Nudge.objects.filter(user=user, day__gte=timezone.localdate() - NUDGE_SHOWN_FOR)
        .order_by("-day")
        .first()
    )
    return PointsSummary(
        total=total,
        level=level,
        next_level=upcoming[0] if upcoming else None,
        next_level_gap=upcoming[1] - total if upcoming else None,
        level_progress=max(0, min(100, progress)),
        tier=account.tier,
        tier_label=levels.tier_label(account.tier),
        next_tier_label=levels.tier_label(next_tier.code) if next_tier else None,
        next_tier_missing=missing,
        nudge=nudge_text(nudge)
        if nudge and _nudge_still_ahead(nudge, level, account.tier)
        else None,
        hidden=account.hide_from_boards,
        network_reporter=is_network_reporter(user=user),
        last_tier_change=TierChange.objects.filter(user=user).first(),
    )


def _nudge_still_ahead(nudge: Nudge, level: int, tier: str) -> bool:
    """A nudge stops showing once its target is reached."""
    if nudge.kind == NudgeKind.LEVEL:
        return int(nudge.target) > level
    codes = [row.code for row in levels.tier_table()]
    return tier in codes and nudge.target in codes and codes.index(nudge.target) > codes.index(tier)


def levels_floor(level: int) -> int:
    return int(settings.POINTS_LEVELS[level - 1])


def _missing_text(what: str, amount: float, requirement: levels.TierRequirement) -> str:
    if what == "points":
        return ngettext("%(n)s more point", "%(n)s more points", int(amount)) % {"n": int(amount)}
    if what == "published":
        return ngettext("%(n)s more published clip", "%(n)s more published clips", int(amount)) % {
            "n": int(amount)
        }
    if what == "rejection_rate":
        return _("fewer rejected clips (at most %(rate)s%% rejected)") % {
            "rate": round(requirement.max_rejection_rate * 100)
        }
    days = math.ceil(amount)
    return ngettext("%(n)s more day on Fieldcast", "%(n)s more days on Fieldcast", days) % {
        "n": days
    }


# --- Leaderboards ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    rank: int
    user_id: int
    name: str
    city: str
    points: int


def board_period_start(*, board: str, at: datetime | None = None) -> date | None:
    day = timezone.localdate(at) if at else timezone.localdate()
    if board == Period.WEEK:
        return day - timedelta(days=day.weekday())
    if board == Period.MONTH:
        return day.replace(day=1)
    return None


def leaderboard_queryset(
    *, board: str, city: str = "", at: datetime | None = None
) -> QuerySet[Any, tuple[int, str, str, str, int]]:
    """The rows of a public board, best first; hidden users never appear.

    Each variant walks one index in order (see the models' indexes): (period, start, hidden
    [, city], -points, user) or (hidden[, city], -total, user) for all time. `hidden__in=[False]`
    rather than `hidden=False`: Django writes the latter as `NOT hidden`, which SQLite cannot
    match to an index column.
    """
    if board not in BOARDS:
        raise NotFound(_("There is no such board."))
    city = city.strip()
    if board == "all":
        accounts = PointsAccount.objects.filter(hide_from_boards__in=[False], total__gt=0)
        if city:
            accounts = accounts.filter(city=city)
        return accounts.order_by("-total", "user_id").values_list(
            "user_id", "user__display_name", "user__email", "city", "total"
        )
    start = board_period_start(board=board, at=at) or timezone.localdate()
    periods = PointsPeriodTotal.objects.filter(
        period=board, start=start, hidden__in=[False], points__gt=0
    )
    if city:
        periods = periods.filter(city=city)
    return periods.order_by("-points", "user_id").values_list(
        "user_id", "user__display_name", "user__email", "city", "points"
    )


def leaderboard(
    *, board: str, city: str = "", page: int = 1, at: datetime | None = None
) -> list[BoardRow]:
    """One page of a public board: one query."""
    page = max(1, page)
    offset = (page - 1) * BOARD_PAGE_SIZE
    values = leaderboard_queryset(board=board, city=city, at=at)
    return [
        BoardRow(
            rank=offset + index + 1,
            user_id=user_id,
            name=display_name or email.split("@", 1)[0],
            city=row_city,
            points=points,
        )
        for index, (user_id, display_name, email, row_city, points) in enumerate(
            values[offset : offset + BOARD_PAGE_SIZE]
        )
    ]


def assignment_leaderboard(*, assignment_ref: str, page: int = 1) -> list[BoardRow]:
    """Who earned most for one assignment (reversals included), hidden users left out.

    One grouped query over that assignment's events only (partial index on assignment_ref)."""
    page = max(1, page)
    offset = (page - 1) * BOARD_PAGE_SIZE
    rows = (
        PointEvent.objects.filter(assignment_ref=assignment_ref)
        .exclude(assignment_ref="")
        .exclude(user__points_account__hide_from_boards=True)
        .values("user_id", "user__display_name", "user__email", "user__city")
        .annotate(total=Sum("points"))
        .filter(total__gt=0)
        .order_by("-total", "user_id")[offset : offset + BOARD_PAGE_SIZE]
    )
    return [
        BoardRow(
            rank=offset + index + 1,
            user_id=row["user_id"],
            name=row["user__display_name"] or row["user__email"].split("@", 1)[0],
            city=row["user__city"],
            points=int(row["total"]),
        )
        for index, row in enumerate(rows)
    ]


# --- Ratings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingRank:
    reporter_id: int
    average: float
    votes: int


def rating_month_ranking(*, month: date, limit: int = 10) -> list[RatingRank]:
    """The month's best-rated reporters: average stars, then votes, then who joined first."""
    rows = (
        ViewerRating.objects.filter(month=month.replace(day=1))
        .values("reporter_id")
        .annotate(average=Avg("stars"), votes=Count("pk"))
        .filter(votes__gte=settings.POINTS_RATING_MIN_VOTES)
        .order_by("-average", "-votes", "reporter_id")[:limit]
    )
    return [
        RatingRank(
            reporter_id=row["reporter_id"], average=float(row["average"]), votes=row["votes"]
        )
        for row in rows
    ]


def rating_by(*, rater: User, reporter: User, month: date) -> ViewerRating | None:
    return ViewerRating.objects.filter(
        rater=rater, reporter=reporter, month=month.replace(day=1)
    ).first()


# --- Staff ----------------------------------------------------------------------------------


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
