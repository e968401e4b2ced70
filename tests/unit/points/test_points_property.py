"""Property: for any sequence of deeds, repeats and reversals, cached totals equal ledger sums
and no deed pays twice."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldcast.points.models import PointEvent, PointsAccount, PointsPeriodTotal
from fieldcast.points.services import points_award, points_reverse
from tests.factories import UserFactory

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
