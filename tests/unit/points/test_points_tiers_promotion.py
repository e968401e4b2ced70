"""Tiers from requirements, tier changes as records; staff promotion and demotion with who/why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from community.models import Notification
from fieldcast.accounts.selectors import user_roles
from fieldcast.core.errors import Conflict, PermissionDenied, ValidationFailed
from fieldcast.points import levels
from fieldcast.points.models import PointsAccount, PromotionRecord, TierChange
from fieldcast.points.selectors import is_network_reporter, user_is_trusted
from fieldcast.points.services import (
    points_award,
    points_tier_refresh,
    reporter_demote,
    reporter_promote,
)
from tests.factories import VideoFactory

pytestmark = pytest.mark.django_db

SMALL_TIERS = [
    {"code": "viewer"},
    {
        "code": "citizen",
        "min_points": 10,
        "min_published": 1,
        "max_rejection_rate": 1.0,
        "min_account_days": 0,
    },
    {
        "code": "trusted",
        "min_points": 50,
        "min_published": 2,
        "max_rejection_rate": 0.5,
        "min_account_days": 0,
    },
    {
        "code": "star",
        "min_points": 100,
        "min_published": 2,
        "max_rejection_rate": 0.5,
        "min_account_days": 30,
    },
]


def test_level_thresholds() -> None:
    assert [levels.level_for(total) for total in (-5, 0, 19, 20, 199, 200, 10**6)] == [
        1,
        1,
        1,
        2,
        4,
        5,
        13,
    ]
    assert levels.next_level(188) == (5, 200)
    assert levels.next_level(10**6) is None


def test_tier_requirements_all_count() -> None:
    record = levels.ReporterRecord(total=5000, published=100, rejected=50, account_days=400)

    # a third of clips rejected: over the trusted (30%) and star (15%) bounds
    assert levels.tier_for(record) == "citizen"
    assert levels.tier_missing(record, levels.tier_table()[2]) == {
        "rejection_rate": pytest.approx(1 / 3 - 0.3)
    }


@override_settings(POINTS_TIERS=SMALL_TIERS)
def test_tier_rises_with_points_and_clips_and_is_recorded(reporter) -> None:
    # given a reporter with two published clips
    VideoFactory(owner=reporter, state="published")
    VideoFactory(owner=reporter, state="published")

    # when they earn 10 then 50 points
    points_award(user=reporter, rule="video_published", obj="v1", key="vp:1")
    points_award(user=reporter, rule="used_on_air", obj="l1", key="air:1")

    # then they went viewer -> citizen -> trusted, each change recorded
    changes = list(
        TierChange.objects.filter(user=reporter).order_by("pk").values_list("from_tier", "to_tier")
    )
    assert changes == [("viewer", "citizen"), ("citizen", "trusted")]
    assert PointsAccount.objects.get(user=reporter).tier == "trusted"
    assert user_is_trusted(user=reporter)


@override_settings(POINTS_TIERS=SMALL_TIERS)
def test_rejections_lower_tier_on_refresh(reporter) -> None:
    # given a trusted reporter
    VideoFactory(owner=reporter, state="published")
    VideoFactory(owner=reporter, state="published")
    points_award(user=reporter, rule="used_on_air", obj="l1", key="air:1")
    assert PointsAccount.objects.get(user=reporter).tier == "trusted"

    # when three of their clips are rejected and the tier is refreshed
    for _ in range(3):
        VideoFactory(owner=reporter, state="rejected")
    change = points_tier_refresh(user=reporter)

    # then they drop to citizen, recorded
    assert change is not None
    assert (change.from_tier, change.to_tier) == ("trusted", "citizen")


def _star(reporter) -> None:
    VideoFactory(owner=reporter, state="published")
    VideoFactory(owner=reporter, state="published")
    reporter.date_joined = timezone.now() - timedelta(days=40)
    reporter.save(update_fields=["date_joined"])
    points_award(user=reporter, rule="used_on_air", obj="l1", key="air:1")
    points_award(user=reporter, rule="used_on_air", obj="l2", key="air:2")
    assert PointsAccount.objects.get(user=reporter).tier == "star"


@override_settings(POINTS_TIERS=SMALL_TIERS)
def test_staff_promote_and_demote_star_reporter_with_record(staff_user, reporter) -> None:
    # given a star reporter
    _star(reporter)

    # when staff promote them, then demote them
    promoted = reporter_promote(user=reporter, staff=staff_user, reason="Great flood coverage")
    roles_after_promotion = user_roles(user=reporter)
    demoted = reporter_demote(user=reporter, staff=staff_user, reason="Left the region")

    # then the editor role came and went, and both decisions are on record with who and why
    assert "editor" in roles_after_promotion
    assert "editor" not in user_roles(user=reporter)
    assert (promoted.action, promoted.by_id, promoted.reason, promoted.role) == (
        "promote",
        staff_user.pk,
        "Great flood coverage",
        "editor",
    )
    assert (demoted.action, demoted.by_id, demoted.reason) == (
        "demote",
        staff_user.pk,
        "Left the region",
    )
    assert not is_network_reporter(user=reporter)


@override_settings(POINTS_TIERS=SMALL_TIERS)
def test_promotion_by_non_staff_is_refused(editor, reporter) -> None:
    _star(reporter)

    with pytest.raises(PermissionDenied):
        reporter_promote(user=reporter, staff=editor, reason="I like them")

    assert PromotionRecord.objects.count() == 0
    assert "editor" not in user_roles(user=reporter)


@override_settings(POINTS_TIERS=SMALL_TIERS)
def test_promotion_needs_reason_and_star_tier(staff_user, reporter) -> None:
    # given a reporter who is only a citizen reporter
    VideoFactory(owner=reporter, state="published")
    points_award(user=reporter, rule="video_published", obj="v1", key="vp:1")

    # when staff try to promote without a reason, then with one
    with pytest.raises(ValidationFailed):
        reporter_promote(user=reporter, staff=staff_user, reason=" ")
    with pytest.raises(Conflict) as error:
        reporter_promote(user=reporter, staff=staff_user, reason="Good")

    # then nothing was recorded
    assert error.value.code == "not_star"
    assert PromotionRecord.objects.count() == 0
    assert "editor" not in user_roles(user=reporter)


@override_settings(POINTS_TIERS=SMALL_TIERS)
def test_promote_twice_and_demote_non_network_reporter_are_conflicts(staff_user, reporter) -> None:
    _star(reporter)
    with pytest.raises(Conflict):
        reporter_demote(user=reporter, staff=staff_user, reason="x")
    reporter_promote(user=reporter, staff=staff_user, reason="x")

    with pytest.raises(Conflict):
        reporter_promote(user=reporter, staff=staff_user, reason="again")

    assert PromotionRecord.objects.count() == 1


@override_settings(POINTS_TIERS=SMALL_TIERS)
def test_tier_change_notifies_the_user_after_commit(reporter, django_capture_on_commit_callbacks):
    # given a reporter with a published clip
    VideoFactory(owner=reporter, state="published")

    # when a deed lifts them to citizen reporter
    with django_capture_on_commit_callbacks(execute=True):
        points_award(user=reporter, rule="video_published", obj="v1", key="vp:1")

    # then one tier notification tells them the new tier
    note = Notification.objects.get(recipient=reporter, kind="tier_changed")
    assert note.data == {"from": "viewer", "to": "citizen"}
    assert note.actor is None
