"""points_award: the ledger pays each deed once, updates the caches, honours caps and multiplier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from fieldcast.core.errors import Conflict, ValidationFailed
from fieldcast.points.models import PointEvent, PointsAccount, PointsPeriodTotal
from fieldcast.points.services import period_starts, points_award
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _total(user) -> int:
    return PointsAccount.objects.get(user=user).total


def test_award_pays_rule_points_and_updates_every_cache(reporter) -> None:
    # given a reporter's published clip
    video = VideoFactory(owner=reporter, state="published")

    # when the publication is awarded
    event = points_award(user=reporter, rule="video_published", obj=video, key=f"vp:{video.pk}")

    # then the ledger holds one +10 event pointing at the video, and the caches agree
    assert event is not None
    assert (event.rule, event.points, event.base_points) == ("video_published", 10, 10)
    assert event.object_id == str(video.pk)
    assert event.content_type.model == "video"
    assert _total(reporter) == 10
    starts = period_starts(event.created_at)
    assert (
        PointsPeriodTotal.objects.get(user=reporter, period="week", start=starts["week"]).points
        == 10
    )
    assert (
        PointsPeriodTotal.objects.get(user=reporter, period="month", start=starts["month"]).points
        == 10
    )


def test_same_deed_twice_pays_once(reporter) -> None:
    # given a deed already paid
    first = points_award(user=reporter, rule="used_on_air", obj="live:7", key="air:7")

    # when it is delivered again
    second = points_award(user=reporter, rule="used_on_air", obj="live:7", key="air:7")

    # then the same event comes back and nothing more is paid
    assert second == first
    assert PointEvent.objects.filter(user=reporter).count() == 1
    assert _total(reporter) == 50


def test_plain_string_reference_is_kept(reporter) -> None:
    event = points_award(user=reporter, rule="event_attended", obj="event:march", key="ev:1")

    assert event is not None
    assert (event.obj_ref, event.content_type_id, event.object_id) == ("event:march", None, "")


def test_assignment_bonus_adds_to_rule(reporter) -> None:
    event = points_award(
        user=reporter, rule="assignment_contribution", obj="assignment:3", key="as:3", bonus=15
    )

    assert event is not None
    assert event.points == 35
    assert _total(reporter) == 35


def test_daily_cap_limits_comment_points(viewer) -> None:
    # given 10 comments today already paid (the cap)
    for n in range(10):
        points_award(user=viewer, rule="comment", obj=f"comment:{n}", key=f"c:{n}")

    # when an eleventh comment arrives
    result = points_award(user=viewer, rule="comment", obj="comment:10", key="c:10")

    # then it pays nothing and the ledger is unchanged
    assert result is None
    assert PointEvent.objects.filter(user=viewer).count() == 10
    assert _total(viewer) == 10


def test_daily_cap_counts_only_today(viewer) -> None:
    # given 20 likes paid yesterday (moved back in time: the ledger is never updated by code)
    for n in range(20):
        points_award(user=viewer, rule="like_received", obj=f"like:{n}", key=f"l:{n}")
    PointEvent.objects.filter(user=viewer).update(
        created_at=timezone.now() - timedelta(days=1, hours=1)
    )

    # when a like arrives today
    result = points_award(user=viewer, rule="like_received", obj="like:x", key="l:x")

    # then it pays
    assert result is not None
    assert result.points == 1


@override_settings(POINTS_MULTIPLIER_THRESHOLD=100, POINTS_MULTIPLIER_PERCENT=160)
def test_multiplier_applies_past_threshold_only_to_awards(reporter) -> None:
    # given a reporter at exactly the threshold
    points_award(user=reporter, rule="used_on_air", obj="a", key="a")
    points_award(user=reporter, rule="used_on_air", obj="b", key="b")

    # when they earn +10 and then a -20 penalty
    bonus = points_award(user=reporter, rule="video_published", obj="v", key="v")
    penalty = points_award(user=reporter, rule="content_removed", obj="v", key="removed:v")

    # then the award is +60% and the penalty is not multiplied
    assert bonus is not None
    assert penalty is not None
    assert (bonus.base_points, bonus.points) == (10, 16)
    assert penalty.points == -20
    assert _total(reporter) == 100 + 16 - 20


def test_unknown_rule_is_refused_and_nothing_written(reporter) -> None:
    with pytest.raises(ValidationFailed) as error:
        points_award(user=reporter, rule="free_money", obj=None, key="k")

    assert error.value.code == "unknown_rule"
    assert PointEvent.objects.count() == 0


def test_manual_adjustment_rule_cannot_be_awarded_directly(reporter) -> None:
    with pytest.raises(ValidationFailed):
        points_award(user=reporter, rule="manual_adjustment", obj=None, key="k")

    assert PointEvent.objects.count() == 0


def test_empty_key_is_refused(reporter) -> None:
    with pytest.raises(ValidationFailed) as error:
        points_award(user=reporter, rule="comment", obj=None, key=" ")

    assert error.value.code == "invalid_key"
    assert PointEvent.objects.count() == 0


def test_key_of_another_user_is_a_conflict(reporter) -> None:
    # given a deed paid to one reporter
    other = UserFactory(roles=["reporter"])
    points_award(user=reporter, rule="video_published", obj="v", key="vp:1")

    # when the same key is awarded to someone else
    with pytest.raises(Conflict):
        points_award(user=other, rule="video_published", obj="v", key="vp:1")

    # then the other user got nothing
    assert PointEvent.objects.filter(user=other).count() == 0
    assert not PointsAccount.objects.filter(user=other, total__gt=0).exists()


def test_ledger_sum_matches_total(reporter) -> None:
    for n in range(5):
        points_award(user=reporter, rule="video_published", obj=f"v{n}", key=f"vp:{n}")
    points_award(user=reporter, rule="abuse_report_upheld", obj="r", key="ab:1")

    ledger = PointEvent.objects.filter(user=reporter).aggregate(s=Sum("points"))["s"]
    assert ledger == _total(reporter) == 40
