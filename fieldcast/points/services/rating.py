"""Viewers rate reporters; the month's best-rated reporters get a bonus."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import Conflict, PermissionDenied, ValidationFailed
from fieldcast.points import selectors
from fieldcast.points.models import PointEvent, ViewerRating
from fieldcast.points.rules import RATING_TOP_RULES
from fieldcast.points.services.ledger import _whole_number, points_award


def rating_submit(*, rater: User, reporter: User, stars: object) -> ViewerRating:
    """A viewer rates a reporter whose work they watched 1-5 for the current month; once per
    reporter per month."""
    if not rater.is_authenticated:
        raise PermissionDenied(_("Log in to rate reporters."))
    if rater.pk == reporter.pk:
        raise ValidationFailed(_("You cannot rate yourself."), code=ErrorCode.RATING_SELF)
    value = _whole_number(stars)
    if value is None or not 1 <= value <= 5:
        raise ValidationFailed(
            _("A rating is a whole number of stars from 1 to 5."),
            code=ErrorCode.INVALID_RATING,
            fields={"stars": [_("Choose 1 to 5 stars.")]},
        )
    if not selectors.reporter_has_published(user=reporter):
        raise ValidationFailed(
            _("You can rate reporters once they have published work."),
            code=ErrorCode.NOT_A_REPORTER,
        )
    if not selectors.has_watched(viewer=rater, reporter=reporter):
        raise ValidationFailed(
            _("Watch this reporter's work before you rate it."), code=ErrorCode.NOT_WATCHED
        )
    month = timezone.localdate().replace(day=1)
    try:
        with transaction.atomic():
            return ViewerRating.objects.create(
                rater=rater, reporter=reporter, month=month, stars=value
            )
    except IntegrityError as exc:
        raise Conflict(
            _("You already rated this reporter this month."), code=ErrorCode.RATING_TWICE
        ) from exc


def rating_month_bonus_pay(*, month: date) -> list[PointEvent]:
    """Pay the month's top-3 rated reporters (+100/+60/+30). Safe to run any number of times.

    Each place has its own deed key ("rating_top:<month>:<place>"), so a month pays each place
    at most once even if late ratings reorder the ranking between runs.
    """
    month = month.replace(day=1)
    paid: list[PointEvent] = []
    ranking = selectors.rating_month_ranking(month=month, limit=len(RATING_TOP_RULES))
    for place, (row, rule) in enumerate(zip(ranking, RATING_TOP_RULES, strict=False), start=1):
        reporter = User.objects.get(pk=row.reporter_id)
        event = points_award(
            user=reporter,
            rule=rule,
            obj=f"rating:{month:%Y-%m}",
            key=f"rating_top:{month:%Y-%m}:{place}",
        )
        if event is not None:
            paid.append(event)
    return paid
