"""Viewer ratings: a month's ranking, and one viewer's rating of one reporter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Avg, Count

from fieldcast.accounts.models import User
from fieldcast.points.models import ViewerRating


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
