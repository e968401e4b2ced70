"""Property: for any sequence of deeds, repeats and reversals, cached totals equal ledger sums
and no deed pays twice; a clip's net points follow its state through any moderation history."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldcast.points.models import PointEvent, PointsAccount, PointsPeriodTotal
from fieldcast.points.services import (
    points_award,
    points_content_removed,
    points_original_footage,
    points_reverse,
    points_video_reinstated,
)
from fieldcast.videos import services as video_services
from fieldcast.videos.models import Video
from moderation.services import checks_record
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users() -> list:
    return [UserFactory(roles=["reporter"]) for _ in range(3)]


RULES = ["video_published", "used_on_air", "comment", "like_received", "content_removed"]

deed = st.tuples(st.just("award"), st.integers(0, 2), st.sampled_from(RULES), st.integers(0, 15))
reversal = st.tuples(
    st.just("reverse"), st.integers(0, 2), st.sampled_from(RULES), st.integers(0, 15)
)
operations = st.lists(st.one_of(deed, deed, reversal), max_size=40)


@override_settings(POINTS_MULTIPLIER_THRESHOLD=150)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_cached_totals_equal_ledger_and_no_deed_pays_twice(ops, users) -> None:
    # given three users (made once; each example runs in a transaction rolled back at its end)
    with transaction.atomic():
        # when any sequence of deeds (with repeats) and reversals happens
        for action, who, rule, n in ops:
            key = f"{rule}:{who}:{n}"
            if action == "award":
                points_award(user=users[who], rule=rule, obj=f"obj:{n}", key=key)
            elif PointEvent.objects.filter(key=key).exists():
                points_reverse(event_key=key, reason="undone")

        # then each cached total equals its ledger sum, and so do the weekly/monthly totals
        for user in users:
            ledger = PointEvent.objects.filter(user=user).aggregate(s=Sum("points"))["s"] or 0
            account = PointsAccount.objects.filter(user=user).first()
            assert (account.total if account else 0) == ledger
            for period in ("week", "month"):
                cached = (
                    PointsPeriodTotal.objects.filter(user=user, period=period).aggregate(
                        s=Sum("points")
                    )["s"]
                    or 0
                )
                assert cached == ledger
        # and no deed key paid more than once, and no deed was reversed more than once
        assert not PointEvent.objects.values("key").annotate(n=Count("pk")).filter(n__gt=1).exists()
        reversed_ids = list(
            PointEvent.objects.filter(reverses__isnull=False).values_list("reverses_id", flat=True)
        )
        assert len(reversed_ids) == len(set(reversed_ids))
        transaction.set_rollback(True)


lifecycle = st.lists(
    st.sampled_from(
        [
            "hide",
            "restore",
            "remove",
            "reinstate",
            "again:original",
            "again:removed",
            "again:reinstated",
        ]
    ),
    max_size=25,
)
EXPECTED_NET = {"published": 15, "hidden": 15, "removed": -20}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=lifecycle)
def test_a_clips_net_points_follow_its_state_whatever_happened(ops, editor) -> None:
    # given an original clip approved by an editor (+10 published, +5 original)
    with transaction.atomic():
        video = VideoFactory(state="pending_review")
        checks_record(
            video_id=video.pk,
            version=1,
            term_matches=[],
            technical={},
            technical_flags=[],
            hashes=[],
            similar=[],
        )
        video_services.video_publish(video=video, editor=editor)
        points_original_footage(video=video)

        # when any sequence of hides, restores, removals, granted appeals and repeated hook
        # deliveries happens (each move only when the clip's state allows it)
        for op in ops:
            state = Video.objects.get(pk=video.pk).state
            if op == "hide" and state == "published":
                video_services.video_hide(video_id=video.pk, reason="reports")
            elif op == "restore" and state == "hidden":
                video_services.video_restore(video_id=video.pk, editor=editor)
            elif op == "remove" and state in ("published", "hidden"):
                video_services.video_remove(video_id=video.pk, editor=editor, reason="fake")
                points_content_removed(video=video, reason="fake")
            elif op == "reinstate" and state == "removed":
                video_services.video_reinstate(video_id=video.pk, editor=editor)
                points_video_reinstated(video=video, reason="appeal")
            elif op == "again:original":
                points_original_footage(video=video)
            elif op == "again:removed":
                points_content_removed(video=video, reason="again")
            elif op == "again:reinstated":
                points_video_reinstated(video=video, reason="again")

            # then after every step the clip's net points follow its state alone
            state = Video.objects.get(pk=video.pk).state
            net = PointEvent.objects.filter(object_id=str(video.pk)).aggregate(s=Sum("points"))
            assert net["s"] == EXPECTED_NET[state], (op, state)

        # and the owner's cached total is the ledger sum, with every key paid once
        ledger = PointEvent.objects.filter(user=video.owner).aggregate(s=Sum("points"))["s"]
        assert PointsAccount.objects.get(user=video.owner).total == ledger
        assert not PointEvent.objects.values("key").annotate(n=Count("pk")).filter(n__gt=1).exists()
        transaction.set_rollback(True)
