"""Leaderboards: week, month, all time, and one assignment's contributors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldcast.core.errors import NotFound
from fieldcast.points.models import Period, PointEvent, PointsAccount, PointsPeriodTotal

BOARDS = ("week", "month", "all")
BOARD_PAGE_SIZE = 50


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
