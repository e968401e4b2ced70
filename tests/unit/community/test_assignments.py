"""Assignments: editors publish and close calls, contributions are marked used and paid once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.assignments import selectors, services
from community.models import Assignment, AssignmentUse, Notification
from fieldcast.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fieldcast.points.models import PointEvent
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _publish(editor, **overrides):
    now = timezone.now()
    fields = {
        "title": "Flooding on the ring road",
        "brief": "Wide shots of the water level, no faces.",
        "city": "Lagos",
        "starts_at": now,
        "ends_at": now + timedelta(hours=6),
        "urgency": "high",
        "points_bonus": 30,
    }
    fields.update(overrides)
    return services.assignment_publish(user=editor, **fields)


def test_editor_publishes_an_assignment(editor):
    # when
    assignment = _publish(editor)

    # then
    assert (assignment.title, assignment.city, assignment.state, assignment.points_bonus) == (
        "Flooding on the ring road",
        "Lagos",
        "open",
        30,
    )
    assert assignment.created_by_id == editor.pk


def test_reporter_cannot_publish(reporter):
    with pytest.raises(PermissionDenied):
        _publish(reporter)
    assert Assignment.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"city": ""}, "city"),
        ({"brief": "b" * 5001}, "brief"),
        ({"urgency": "whenever"}, "urgency"),
        ({"points_bonus": -1}, "points_bonus"),
        ({"points_bonus": 1001}, "points_bonus"),
    ],
)
def test_bad_fields_are_refused(editor, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        _publish(editor, **overrides)
    assert list(refused.value.fields) == [field]
    assert Assignment.objects.count() == 0


def test_end_before_start_is_refused(editor):
    now = timezone.now()
    with pytest.raises(ValidationFailed) as refused:
        _publish(editor, starts_at=now, ends_at=now - timedelta(minutes=1))
    assert refused.value.message == "The end must be after the start."
    assert Assignment.objects.count() == 0


def test_open_list_puts_the_readers_city_first_then_urgency(editor):
    # given
    far_breaking = _publish(editor, city="Abuja", urgency="breaking", title="far breaking")
    near_low = _publish(editor, city="lagos", urgency="low", title="near low")
    near_high = _publish(editor, city="Lagos", urgency="high", title="near high")
    closed = _publish(editor, title="closed")
    services.assignment_close(user=editor, assignment_id=closed.pk)

    # when
    rows = list(selectors.assignments_open(city="Lagos"))
    anywhere = list(selectors.assignments_open())

    # then
    assert [a.pk for a in rows] == [near_high.pk, near_low.pk, far_breaking.pk]
    assert [a.pk for a in anywhere] == [far_breaking.pk, near_high.pk, near_low.pk]


def test_contributions_are_counted_per_assignment(editor, reporter):
    # given
    assignment = _publish(editor)
    VideoFactory(owner=reporter, state="published", assignment_ref=assignment.ref)
    VideoFactory(owner=reporter, state="published", assignment_ref=assignment.ref)
    VideoFactory(owner=reporter, state="pending_review", assignment_ref=assignment.ref)

    # when
    [row] = selectors.assignments_open()

    # then
    assert row.contributions == 2


def test_close_then_close_again(editor):
    # given
    assignment = _publish(editor)

    # when
    services.assignment_close(user=editor, assignment_id=assignment.pk)

    # then
    assignment.refresh_from_db()
    assert assignment.state == "closed"
    assert assignment.closed_at is not None
    with pytest.raises(Conflict):
        services.assignment_close(user=editor, assignment_id=assignment.pk)


def test_mark_used_pays_the_rule_plus_bonus_once(editor, reporter):
    # given
    assignment = _publish(editor, points_bonus=30)
    video = VideoFactory(owner=reporter, state="published", assignment_ref=assignment.ref)

    # when
    services.assignment_mark_used(user=editor, assignment_id=assignment.pk, video_id=video.pk)
    with pytest.raises(Conflict) as twice:
        services.assignment_mark_used(user=editor, assignment_id=assignment.pk, video_id=video.pk)

    # then
    assert twice.value.code == "already_used"
    event = PointEvent.objects.get()
    assert (event.user_id, event.rule, event.base_points, event.key, event.assignment_ref) == (
        reporter.pk,
        "assignment_contribution",
        50,
        f"assignment:{assignment.pk}:video:{video.pk}",
        assignment.ref,
    )
    assert AssignmentUse.objects.count() == 1


@pytest.mark.parametrize(("state", "ref"), [("pending_review", "same"), ("published", "other")])
def test_only_published_contributions_can_be_marked(editor, reporter, state, ref):
    # given
    assignment = _publish(editor)
    video = VideoFactory(
        owner=reporter, state=state, assignment_ref=assignment.ref if ref == "same" else "999"
    )

    # when / then
    with pytest.raises(NotFound):
        services.assignment_mark_used(user=editor, assignment_id=assignment.pk, video_id=video.pk)
    assert AssignmentUse.objects.count() == 0
    assert PointEvent.objects.count() == 0


def test_reporter_cannot_mark_used(editor, reporter):
    # given
    assignment = _publish(editor)
    video = VideoFactory(owner=reporter, state="published", assignment_ref=assignment.ref)

    # when / then
    with pytest.raises(PermissionDenied):
        services.assignment_mark_used(user=reporter, assignment_id=assignment.pk, video_id=video.pk)
    assert AssignmentUse.objects.count() == 0


def test_reporters_in_the_city_are_notified(editor):
    # given
    near = UserFactory(roles=["reporter"], city="lagos")
    UserFactory(roles=["reporter"], city="Abuja")
    UserFactory(city="Lagos")  # a viewer: cannot upload

    # when
    assignment = _publish(editor, city="Lagos")

    # then
    assert list(Notification.objects.values_list("recipient_id", "kind", "assignment_id")) == [
        (near.pk, "assignment_near", assignment.pk)
    ]
