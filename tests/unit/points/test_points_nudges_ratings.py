"""Nudges (at most one a day) and viewer ratings with the monthly top-3 bonus."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings
from django.utils import timezone

from community.audience.services import view_record
from fieldcast.core.errors import Conflict, ValidationFailed
from fieldcast.points.models import Nudge, PointEvent, PointsAccount, ViewerRating
from fieldcast.points.selectors import nudge_text, points_summary
from fieldcast.points.services import points_award, rating_month_bonus_pay, rating_submit
from fieldcast.points.tasks import rating_month_bonus
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def test_no_nudge_when_far_from_next_level(reporter) -> None:
    # given nudges only within 5 points; when a comment leaves level 2 (20 points) 19 away
    with override_settings(POINTS_NUDGE_WITHIN=5):
        points_award(user=reporter, rule="comment", obj="c", key="c:1")

    # then no nudge
    assert Nudge.objects.count() == 0


def test_one_nudge_per_day(reporter) -> None:
    # given a first deed that leaves the reporter close to level 2
    points_award(user=reporter, rule="video_published", obj="v1", key="vp:1")

    # when more deeds follow the same day
    points_award(user=reporter, rule="comment", obj="c1", key="c:1")
    points_award(user=reporter, rule="comment", obj="c2", key="c:2")

    # then there is still only the first nudge
    nudge = Nudge.objects.get(user=reporter)
    assert (nudge.kind, nudge.gap, nudge.target, nudge.clips, nudge.day) == (
        "level",
        10,
        "2",
        1,
        timezone.localdate(),
    )
    assert nudge_text(nudge) == "10 points to level 2: one published clip would do it."


def _reporter_with_work(*, watched_by=()):
    """A reporter with a published clip, watched (a counted view) by each of `watched_by`."""
    reporter = UserFactory(roles=["reporter"])
    video = VideoFactory(owner=reporter, state="published")
    for viewer in watched_by:
        assert view_record(video=video, viewer=f"u{viewer.pk}")
    return reporter


def test_rating_once_per_month(viewer) -> None:
    # given a viewer who watched and rated a reporter this month
    reporter = _reporter_with_work(watched_by=[viewer])
    rating_submit(rater=viewer, reporter=reporter, stars=4)

    # when they rate the same reporter again
    with pytest.raises(Conflict) as error:
        rating_submit(rater=viewer, reporter=reporter, stars=5)

    # then it is refused and the first rating stands
    assert error.value.code == "rating_twice"
    assert list(ViewerRating.objects.values_list("stars", flat=True)) == [4]


def test_rating_yourself_is_refused(reporter) -> None:
    VideoFactory(owner=reporter, state="published")

    with pytest.raises(ValidationFailed) as error:
        rating_submit(rater=reporter, reporter=reporter, stars=5)

    assert error.value.code == "rating_self"
    assert ViewerRating.objects.count() == 0


@pytest.mark.parametrize("stars", [0, 6, 4.5, "five", True, None])
def test_rating_out_of_range_is_refused(viewer, stars) -> None:
    reporter = _reporter_with_work(watched_by=[viewer])

    with pytest.raises(ValidationFailed) as error:
        rating_submit(rater=viewer, reporter=reporter, stars=stars)

    assert error.value.code == "invalid_rating"
    assert ViewerRating.objects.count() == 0


def test_rating_work_you_did_not_watch_is_refused(viewer) -> None:
    # given a reporter whose clip someone else watched, and a hidden clip the viewer watched
    reporter = _reporter_with_work(watched_by=[UserFactory()])
    hidden = VideoFactory(owner=reporter, state="published")
    view_record(video=hidden, viewer=f"u{viewer.pk}")
    hidden.state = "hidden"
    hidden.save(update_fields=["state"])

    # when the viewer rates the reporter
    with pytest.raises(ValidationFailed) as error:
        rating_submit(rater=viewer, reporter=reporter, stars=4)

    # then it is refused and nothing is stored
    assert error.value.code == "not_watched"
    assert error.value.message == "Watch this reporter's work before you rate it."
    assert ViewerRating.objects.count() == 0


def test_rating_someone_without_published_work_is_refused(viewer, reporter) -> None:
    with pytest.raises(ValidationFailed):
        rating_submit(rater=viewer, reporter=reporter, stars=3)

    assert ViewerRating.objects.count() == 0


@override_settings(POINTS_RATING_MIN_VOTES=2)
def test_monthly_top3_bonus_pays_once() -> None:
    # given four reporters rated this month by three viewers
    viewers = [UserFactory() for _ in range(3)]
    reporters = [_reporter_with_work(watched_by=viewers) for _ in range(4)]
    stars = {0: [5, 5, 4], 1: [5, 5, 5], 2: [3, 4, 4], 3: [1]}  # reporter 3 has too few votes
    for index, given in stars.items():
        for viewer, value in zip(viewers, given, strict=False):
            rating_submit(rater=viewer, reporter=reporters[index], stars=value)
    month = timezone.localdate().replace(day=1)

    # when the monthly bonus task runs twice
    rating_month_bonus_pay(month=month)
    again = rating_month_bonus_pay(month=month)

    # then the top three got +100/+60/+30 once each
    totals = [
        PointsAccount.objects.get(user=r).total
        if PointsAccount.objects.filter(user=r).exists()
        else 0
        for r in reporters
    ]
    assert totals == [60, 100, 30, 0]
    assert PointEvent.objects.count() == 3
    assert len(again) == 3  # the same events, returned again
    assert {event.key for event in again} == {
        f"rating_top:{month:%Y-%m}:{place}" for place in (1, 2, 3)
    }


def test_monthly_bonus_for_an_empty_month_pays_nothing() -> None:
    assert rating_month_bonus_pay(month=date(2020, 1, 1)) == []
    assert PointEvent.objects.count() == 0


@override_settings(POINTS_RATING_MIN_VOTES=1)
def test_monthly_bonus_task_for_a_given_month(viewer) -> None:
    # given one rated reporter this month
    reporter = _reporter_with_work(watched_by=[viewer])
    rating_submit(rater=viewer, reporter=reporter, stars=5)
    month = timezone.localdate().strftime("%Y-%m")

    # when the task runs twice for this month
    first = rating_month_bonus(month)
    second = rating_month_bonus(month)

    # then the reporter got the first place's +100 once
    assert (first, second) == (1, 1)
    assert PointsAccount.objects.get(user=reporter).total == 100


def test_nudge_stops_showing_once_its_level_is_reached(reporter) -> None:
    # given a nudge toward level 2
    points_award(user=reporter, rule="video_published", obj="v1", key="vp:1")
    assert (
        points_summary(user=reporter).nudge
        == "10 points to level 2: one published clip would do it."
    )

    # when the reporter reaches level 2 the same day
    points_award(user=reporter, rule="video_published", obj="v2", key="vp:2")

    # then the card no longer shows it (and no second nudge was made today)
    assert points_summary(user=reporter).nudge is None
    assert Nudge.objects.filter(user=reporter).count() == 1
