"""Events: staff create them; people sign up, wait, cancel and are promoted; reminders go out
once; attendance pays points once; guest experts get a badge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from community.events import selectors as event_selectors
from community.events import services as event_services
from community.models import Event, EventRegistration, GuestExpert, Notification
from community.notifications import notify
from fieldcast.celery_app import app as celery_app
from fieldcast.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from fieldcast.points.models import PointEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _create(editor, **overrides):
    now = timezone.now()
    fields = {
        "title": "Filming in the rain",
        "description": "Keep the lens dry and the horizon level.",
        "kind": "training",
        "starts_at": now + timedelta(days=3),
        "ends_at": now + timedelta(days=3, hours=2),
        "capacity": 2,
        "place": "Newsroom, 4th floor",
        "link": "",
    }
    fields.update(overrides)
    return event_services.event_create(user=editor, **fields)


def _start(event, *, minutes_ago: int = 5) -> None:
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - timedelta(minutes=minutes_ago), ends_at=now + timedelta(hours=1)
    )


def _states(event) -> dict[int, str]:
    return dict(EventRegistration.objects.filter(event=event).values_list("user_id", "state"))


def test_editor_creates_an_offline_training(editor):
    # when
    event = _create(editor)

    # then
    assert (event.title, event.kind, event.capacity, event.place) == (
        "Filming in the rain",
        "training",
        2,
        "Newsroom, 4th floor",
    )
    assert event.created_by_id == editor.pk


def test_editor_creates_an_online_qa_with_a_link(editor):
    # when
    event = _create(editor, kind="online", place="", link="https://meet.example.org/qa-42")

    # then
    assert event.is_online
    assert event.link == "https://meet.example.org/qa-42"


def test_reporter_cannot_create_an_event(reporter):
    with pytest.raises(PermissionDenied):
        _create(reporter)
    assert Event.objects.count() == 0


def test_anonymous_cannot_create_an_event(db):
    with pytest.raises(NotAuthenticated):
        _create(AnonymousUser())
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"capacity": 10_001}, "capacity"),
        ({"title": "   "}, "title"),
        ({"description": "d" * 5001}, "description"),
        ({"kind": "party"}, "kind"),
        ({"kind": "online", "link": ""}, "link"),
        ({"kind": "online", "link": "javascript:alert(1)"}, "link"),
        ({"kind": "online", "link": "https://"}, "link"),
        ({"place": ""}, "place"),
    ],
)
def test_bad_event_input_is_refused(editor, overrides, field):
    # when
    with pytest.raises(ValidationFailed) as refused:
        _create(editor, **overrides)

    # then the field is named and nothing is stored
    assert field in refused.value.fields
    assert Event.objects.count() == 0


def test_an_event_that_ends_before_it_starts_is_refused(editor):
    # given
    start = timezone.now() + timedelta(days=2)

    # when
    with pytest.raises(ValidationFailed) as refused:
        _create(editor, starts_at=start, ends_at=start - timedelta(minutes=1))

    # then
    assert refused.value.fields["ends_at"] == ["The end must be after the start."]
    assert Event.objects.count() == 0


def test_an_event_in_the_past_is_refused(editor):
    # given
    start = timezone.now() - timedelta(hours=1)

    # when
    with pytest.raises(ValidationFailed) as refused:
        _create(editor, starts_at=start, ends_at=start + timedelta(hours=2))

    # then
    assert "starts_at" in refused.value.fields
    assert Event.objects.count() == 0


def test_sign_up_takes_a_place_until_full_then_joins_the_waiting_list(editor):
    # given an event with two places
    event = _create(editor, capacity=2)
    first, second, third, fourth = UserFactory.create_batch(4)

    # when four people sign up
    results = [
        event_services.event_sign_up(user=person, event_id=event.pk)
        for person in (first, second, third, fourth)
    ]

    # then two have places and two wait, in the order they came
    assert [r.registration.state for r in results] == [
        "confirmed",
        "confirmed",
        "waiting",
        "waiting",
    ]
    assert [r.waiting_position for r in results] == [0, 0, 1, 2]
    assert results[2].waiting


def test_signing_up_twice_is_refused(editor, viewer):
    # given
    event = _create(editor)
    event_services.event_sign_up(user=viewer, event_id=event.pk)

    # when
    with pytest.raises(Conflict) as refused:
        event_services.event_sign_up(user=viewer, event_id=event.pk)

    # then
    assert refused.value.code == "already_signed_up"
    assert EventRegistration.objects.filter(event=event).count() == 1


def test_joining_the_waiting_list_twice_is_refused(editor):
    # given a full event and someone waiting
    event = _create(editor, capacity=1)
    holder, waiter = UserFactory.create_batch(2)
    event_services.event_sign_up(user=holder, event_id=event.pk)
    event_services.event_sign_up(user=waiter, event_id=event.pk)

    # when
    with pytest.raises(Conflict) as refused:
        event_services.event_sign_up(user=waiter, event_id=event.pk)

    # then
    assert refused.value.code == "already_waiting"
    assert _states(event) == {holder.pk: "confirmed", waiter.pk: "waiting"}


def test_sign_up_after_the_start_is_refused(editor, viewer):
    # given an event that has started
    event = _create(editor)
    _start(event)

    # when
    with pytest.raises(Conflict) as refused:
        event_services.event_sign_up(user=viewer, event_id=event.pk)

    # then
    assert refused.value.message == "Sign-up closed when the event started."
    assert not EventRegistration.objects.filter(event=event).exists()


def test_sign_up_to_a_missing_event_is_not_found(viewer):
    with pytest.raises(NotFound):
        event_services.event_sign_up(user=viewer, event_id=999_999)
    assert not EventRegistration.objects.exists()


def test_cancelling_a_place_promotes_the_first_waiting_person_and_tells_them(editor):
    # given a full event with two people waiting
    event = _create(editor, capacity=1)
    holder, first_waiting, second_waiting = UserFactory.create_batch(3)
    for person in (holder, first_waiting, second_waiting):
        event_services.event_sign_up(user=person, event_id=event.pk)

    # when the holder cancels
    event_services.event_cancel_sign_up(user=holder, event_id=event.pk)

    # then the first in line has the place and a notification; the second still waits
    assert _states(event) == {
        holder.pk: "cancelled",
        first_waiting.pk: "confirmed",
        second_waiting.pk: "waiting",
    }
    told = Notification.objects.get(kind="event_promoted")
    assert (told.recipient_id, told.event_id) == (first_waiting.pk, event.pk)
    assert notify.notification_text(told) == (
        "A place freed up: you are now going to “Filming in the rain”."
    )
    assert notify.notification_url(told) == f"/community/events/{event.pk}/"
    assert not Notification.objects.filter(recipient=second_waiting).exists()


def test_leaving_the_waiting_list_promotes_nobody(editor):
    # given
    event = _create(editor, capacity=1)
    holder, waiter, last = UserFactory.create_batch(3)
    for person in (holder, waiter, last):
        event_services.event_sign_up(user=person, event_id=event.pk)

    # when someone waiting leaves
    event_services.event_cancel_sign_up(user=waiter, event_id=event.pk)

    # then the others keep their states and the last moves up the queue
    assert _states(event) == {holder.pk: "confirmed", waiter.pk: "cancelled", last.pk: "waiting"}
    page = event_selectors.event_page(event_id=event.pk, user=last)
    assert page is not None
    assert page.position == 1
    assert not Notification.objects.filter(kind="event_promoted").exists()


def test_signing_up_again_after_cancelling_goes_to_the_back_of_the_queue(editor):
    # given a full event: A has the place, B waits, A cancels (B promoted), C signs up (waits)
    event = _create(editor, capacity=1)
    a, b, c = UserFactory.create_batch(3)
    event_services.event_sign_up(user=a, event_id=event.pk)
    event_services.event_sign_up(user=b, event_id=event.pk)
    event_services.event_cancel_sign_up(user=a, event_id=event.pk)
    event_services.event_sign_up(user=c, event_id=event.pk)

    # when A signs up again
    result = event_services.event_sign_up(user=a, event_id=event.pk)

    # then A waits behind C
    assert (result.registration.state, result.waiting_position) == ("waiting", 2)
    assert EventRegistration.objects.filter(event=event).count() == 3


def test_cancelling_without_a_sign_up_is_refused(editor, viewer):
    # given
    event = _create(editor)

    # when
    with pytest.raises(NotFound) as refused:
        event_services.event_cancel_sign_up(user=viewer, event_id=event.pk)

    # then
    assert refused.value.code == "not_signed_up"


def test_cancelling_after_the_start_is_refused(editor, viewer):
    # given
    event = _create(editor)
    event_services.event_sign_up(user=viewer, event_id=event.pk)
    _start(event)

    # when
    with pytest.raises(Conflict):
        event_services.event_cancel_sign_up(user=viewer, event_id=event.pk)

    # then
    assert _states(event) == {viewer.pk: "confirmed"}


def test_reminders_go_out_a_day_and_an_hour_before_and_only_once(editor):
    # given one event in 20 hours with a holder and someone waiting, and one next week
    event = _create(editor, capacity=1)
    holder, waiter = UserFactory.create_batch(2)
    event_services.event_sign_up(user=holder, event_id=event.pk)
    event_services.event_sign_up(user=waiter, event_id=event.pk)
    later = _create(editor, title="Next week")
    event_services.event_sign_up(user=holder, event_id=later.pk)
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now + timedelta(hours=20), ends_at=now + timedelta(hours=22)
    )

    # when the task runs twice now
    first_run = event_services.event_reminders_send(now=now)
    second_run = event_services.event_reminders_send(now=now)

    # then the holder got one day reminder, the waiter none, the later event none
    assert (first_run, second_run) == (1, 0)
    reminders = list(Notification.objects.filter(kind="event_reminder"))
    assert [(n.recipient_id, n.event_id, n.data["when"]) for n in reminders] == [
        (holder.pk, event.pk, "day")
    ]

    # when it runs again 19.5 hours later (half an hour before), twice
    then = now + timedelta(hours=19, minutes=30)
    assert event_services.event_reminders_send(now=then) == 1
    assert event_services.event_reminders_send(now=then) == 0

    # then the hour reminder went out once
    assert sorted(
        Notification.objects.filter(kind="event_reminder").values_list("data__when", flat=True)
    ) == ["day", "hour"]
    texts = sorted(notify.notification_text(n) for n in Notification.objects.all())
    assert texts == [
        "“Filming in the rain” starts within 24 hours.",
        "“Filming in the rain” starts within the hour.",
    ]


def test_a_late_sign_up_gets_only_the_hour_reminder(editor, viewer):
    # given an event in 40 minutes
    event = _create(editor)
    event_services.event_sign_up(user=viewer, event_id=event.pk)
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now + timedelta(minutes=40), ends_at=now + timedelta(hours=2)
    )

    # when the task runs twice
    assert event_services.event_reminders_send(now=now) == 1
    assert event_services.event_reminders_send(now=now) == 0

    # then one hour reminder and no day reminder
    assert list(Notification.objects.values_list("data__when", flat=True)) == ["hour"]


def test_staff_mark_attendance_which_pays_points_once(editor):
    # given an event that started with two people holding places
    event = _create(editor)
    came, stayed_home = UserFactory.create_batch(2)
    event_services.event_sign_up(user=came, event_id=event.pk)
    event_services.event_sign_up(user=stayed_home, event_id=event.pk)
    _start(event)

    # when staff mark one as attended, twice
    first = event_services.event_attendance_mark(
        user=editor, event_id=event.pk, attendee_ids=[came.pk]
    )
    second = event_services.event_attendance_mark(
        user=editor, event_id=event.pk, attendee_ids=[came.pk]
    )

    # then the points were paid once and the sheet shows who came
    assert ([r.user_id for r in first], second) == ([came.pk], [])
    paid = list(PointEvent.objects.filter(rule="event_attended").values_list("user_id", "points"))
    assert paid == [(came.pk, 10)]
    sheet = {
        r.user_id: r.attended_at is not None
        for r in event_selectors.event_attendance_sheet(event_id=event.pk)
    }
    assert sheet == {came.pk: True, stayed_home.pk: False}


def test_a_reporter_cannot_mark_attendance(editor, reporter):
    # given
    event = _create(editor)
    event_services.event_sign_up(user=reporter, event_id=event.pk)
    _start(event)

    # when
    with pytest.raises(PermissionDenied):
        event_services.event_attendance_mark(
            user=reporter, event_id=event.pk, attendee_ids=[reporter.pk]
        )

    # then
    assert not EventRegistration.objects.filter(attended_at__isnull=False).exists()
    assert not PointEvent.objects.filter(rule="event_attended").exists()


def test_attendance_of_someone_without_a_place_is_refused(editor):
    # given an event with one place, a holder and someone waiting
    event = _create(editor, capacity=1)
    holder, waiter = UserFactory.create_batch(2)
    event_services.event_sign_up(user=holder, event_id=event.pk)
    event_services.event_sign_up(user=waiter, event_id=event.pk)
    _start(event)

    # when staff tick both
    with pytest.raises(ValidationFailed):
        event_services.event_attendance_mark(
            user=editor, event_id=event.pk, attendee_ids=[holder.pk, waiter.pk]
        )

    # then nobody is marked or paid
    assert not EventRegistration.objects.filter(attended_at__isnull=False).exists()
    assert not PointEvent.objects.filter(rule="event_attended").exists()


def test_attendance_before_the_start_is_refused(editor, viewer):
    # given
    event = _create(editor)
    event_services.event_sign_up(user=viewer, event_id=event.pk)

    # when
    with pytest.raises(Conflict):
        event_services.event_attendance_mark(
            user=editor, event_id=event.pk, attendee_ids=[viewer.pk]
        )

    # then
    assert not PointEvent.objects.filter(rule="event_attended").exists()


def test_upcoming_events_come_soonest_first_with_counts(editor):
    # given
    later = _create(editor, title="Later", capacity=1)
    sooner = _create(
        editor,
        title="Sooner",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
    )
    a, b = UserFactory.create_batch(2)
    event_services.event_sign_up(user=a, event_id=later.pk)
    event_services.event_sign_up(user=b, event_id=later.pk)

    # when
    rows = list(event_selectors.events_upcoming())

    # then
    assert [(e.title, e.confirmed, e.waiting) for e in rows] == [("Sooner", 0, 0), ("Later", 1, 1)]
    assert sooner.pk == rows[0].pk


def test_staff_give_and_take_back_the_guest_expert_badge(staff_user, viewer):
    # when
    badge = event_services.guest_expert_grant(
        user=staff_user, expert_id=viewer.pk, title="Investigative journalist"
    )

    # then
    assert event_selectors.is_guest_expert(viewer)
    assert badge.title == "Investigative journalist"
    assert event_selectors.guest_expert_ids([viewer.pk, staff_user.pk]) == {viewer.pk}

    # when
    event_services.guest_expert_revoke(user=staff_user, expert_id=viewer.pk)

    # then
    assert not event_selectors.is_guest_expert(viewer)


def test_an_editor_cannot_give_the_guest_expert_badge(editor, viewer):
    with pytest.raises(PermissionDenied):
        event_services.guest_expert_grant(user=editor, expert_id=viewer.pk)
    assert not GuestExpert.objects.exists()


def test_the_badge_for_a_missing_person_is_not_found(staff_user):
    with pytest.raises(NotFound):
        event_services.guest_expert_grant(user=staff_user, expert_id=999_999)
    assert not GuestExpert.objects.exists()


def test_the_reminder_task_is_registered_scheduled_and_sends(settings, editor, viewer):
    # given an event in 30 minutes with the viewer holding a place
    event = _create(editor)
    event_services.event_sign_up(user=viewer, event_id=event.pk)
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now + timedelta(minutes=30), ends_at=now + timedelta(hours=1)
    )

    # when the beat's task runs (looked up as a starting worker finds it), twice
    celery_app.loader.import_default_modules()
    task = celery_app.tasks[settings.CELERY_BEAT_SCHEDULE["community-event-reminders"]["task"]]
    first, second = task.run(), task.run()

    # then one reminder went out
    assert (first, second) == (1, 0)
    assert Notification.objects.filter(recipient=viewer, kind="event_reminder").count() == 1
