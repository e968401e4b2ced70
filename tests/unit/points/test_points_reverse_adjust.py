"""points_reverse and points_adjust: corrections are new rows; bad input changes nothing."""

from __future__ import annotations

import pytest

from fieldcast.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fieldcast.points.models import PointEvent, PointsAccount
from fieldcast.points.services import points_adjust, points_award, points_reverse
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[list, list]:
    return (
        list(PointEvent.objects.order_by("pk").values_list("pk", "points")),
        list(PointsAccount.objects.order_by("pk").values_list("pk", "total")),
    )


def test_reverse_adds_negative_event_and_keeps_original(reporter) -> None:
    # given a paid publication
    original = points_award(user=reporter, rule="video_published", obj="v:1", key="vp:1")

    # when the approval is undone
    reversal = points_reverse(event_key="vp:1", reason="Published by mistake")

    # then a negative event points at the original, which is untouched
    assert original is not None
    assert (reversal.points, reversal.key, reversal.reverses_id) == (
        -10,
        "reversal:vp:1",
        original.pk,
    )
    assert reversal.reason == "Published by mistake"
    assert PointEvent.objects.get(pk=original.pk).points == 10
    assert PointsAccount.objects.get(user=reporter).total == 0


def test_reverse_twice_returns_first_reversal(reporter) -> None:
    points_award(user=reporter, rule="video_published", obj="v:1", key="vp:1")
    first = points_reverse(event_key="vp:1", reason="mistake")

    second = points_reverse(event_key="vp:1", reason="mistake again")

    assert second == first
    assert PointEvent.objects.count() == 2
    assert PointsAccount.objects.get(user=reporter).total == 0


def test_reversed_deed_does_not_pay_again_under_same_key(reporter) -> None:
    points_award(user=reporter, rule="video_published", obj="v:1", key="vp:1")
    points_reverse(event_key="vp:1", reason="mistake")

    points_award(user=reporter, rule="video_published", obj="v:1", key="vp:1")

    assert PointEvent.objects.count() == 2
    assert PointsAccount.objects.get(user=reporter).total == 0


def test_reversal_cannot_be_reversed(reporter) -> None:
    points_award(user=reporter, rule="video_published", obj="v:1", key="vp:1")
    points_reverse(event_key="vp:1", reason="mistake")
    before = _snapshot()

    with pytest.raises(Conflict):
        points_reverse(event_key="reversal:vp:1", reason="undo the undo")

    assert _snapshot() == before


def test_reverse_unknown_key_or_without_reason_is_refused(reporter) -> None:
    points_award(user=reporter, rule="video_published", obj="v:1", key="vp:1")
    before = _snapshot()

    with pytest.raises(NotFound):
        points_reverse(event_key="nope", reason="x")
    with pytest.raises(ValidationFailed) as error:
        points_reverse(event_key="vp:1", reason="  ")

    assert error.value.fields == {"reason": ["A reason is required."]}
    assert _snapshot() == before


def test_staff_adjustment_with_reason_is_recorded(staff_user, reporter) -> None:
    event = points_adjust(user=reporter, points=-15, reason="Duplicate upload", staff=staff_user)

    assert (event.rule, event.points, event.reason, event.actor_id) == (
        "manual_adjustment",
        -15,
        "Duplicate upload",
        staff_user.pk,
    )
    assert PointsAccount.objects.get(user=reporter).total == -15


@pytest.mark.parametrize(
    ("points", "reason", "field"),
    [
        (-15, "", "reason"),
        (15, "   ", "reason"),
        (2.5, "Good work", "points"),
        ("ten", "Good work", "points"),
        (True, "Good work", "points"),
        (0, "Good work", "points"),
        (10**9, "Good work", "points"),
    ],
)
def test_bad_adjustment_is_refused_and_ledger_unchanged(
    staff_user, reporter, points, reason, field
) -> None:
    # given a reporter with some points
    points_award(user=reporter, rule="video_published", obj="v:1", key="vp:1")
    before = _snapshot()

    # when staff send a bad adjustment
    with pytest.raises(ValidationFailed) as error:
        points_adjust(user=reporter, points=points, reason=reason, staff=staff_user)

    # then the error names the field and nothing changed
    assert error.value.code == "invalid_adjustment"
    assert list(error.value.fields) == [field]
    assert _snapshot() == before


def test_negative_non_integer_without_reason_reports_both_fields(staff_user, reporter) -> None:
    with pytest.raises(ValidationFailed) as error:
        points_adjust(user=reporter, points=-2.5, reason="", staff=staff_user)

    assert set(error.value.fields) == {"points", "reason"}
    assert PointEvent.objects.count() == 0


def test_adjustment_by_non_staff_is_refused(editor, reporter) -> None:
    with pytest.raises(PermissionDenied):
        points_adjust(user=reporter, points=10, reason="friend", staff=editor)

    assert PointEvent.objects.count() == 0


def test_staff_cannot_adjust_their_own_points(staff_user) -> None:
    # given a staff member with some points
    points_award(user=staff_user, rule="video_published", obj="v:1", key="vp:1")
    before = _snapshot()

    # when they try to adjust their own points
    with pytest.raises(PermissionDenied) as error:
        points_adjust(user=staff_user, points=500, reason="Great work", staff=staff_user)

    # then it is refused and the ledger is untouched
    assert error.value.code == "own_points"
    assert _snapshot() == before


def test_another_staff_member_can_adjust_a_staff_members_points(staff_user) -> None:
    # given a second staff member
    colleague = UserFactory(roles=["reporter", "editor", "staff"], is_staff=True)

    # when they adjust the first one's points
    event = points_adjust(user=staff_user, points=20, reason="Field trip", staff=colleague)

    # then it is recorded
    assert (event.points, event.actor_id) == (20, colleague.pk)
