"""Event pages and API: staff form, list, sign-up/waiting list/cancel, attendance sheet, guest
expert badge next to comments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from community.comments import services
from community.events import services as event_services
from community.models import Event, EventRegistration, GuestExpert
from fieldcast.points.models import PointEvent
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _event(editor, *, capacity: int = 1, **overrides) -> Event:
    start = timezone.now() + timedelta(days=2)
    fields = {
        "title": "Meet the night desk",
        "description": "How the newsroom checks a clip.",
        "kind": "meetup",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "capacity": capacity,
        "place": "Community hall",
    }
    fields.update(overrides)
    return event_services.event_create(user=editor, **fields)


def _started(event: Event) -> None:
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=1)
    )


def _form(**overrides) -> dict[str, str]:
    start = timezone.localtime() + timedelta(days=5)
    data = {
        "title": "Phone filming basics",
        "description": "Steady shots, clean sound.",
        "kind": "training",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Room 2",
        "link": "",
        "capacity": "12",
    }
    data.update(overrides)
    return data


def test_staff_create_an_event_through_the_form(editor):
    # when
    response = _client(editor).post("/community/events/new/", _form())

    # then
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/community/events/{event.pk}/"
    assert (event.title, event.kind, event.capacity, event.place) == (
        "Phone filming basics",
        "training",
        12,
        "Room 2",
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"capacity": "0"}, "An event needs room for at least one person."),
        ({"kind": "online", "place": "", "link": ""}, "An online event needs the link"),
        ({"place": ""}, "Say where the event takes place."),
    ],
)
def test_bad_form_input_is_shown_and_nothing_stored(editor, overrides, message):
    # when
    response = _client(editor).post("/community/events/new/", _form(**overrides))

    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Event.objects.count() == 0


def test_form_refuses_an_end_before_the_start(editor):
    # given
    start = timezone.localtime() + timedelta(days=5)

    # when
    response = _client(editor).post(
        "/community/events/new/",
        _form(
            starts_at=start.strftime("%Y-%m-%dT%H:%M"),
            ends_at=(start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )

    # then
    assert "The end must be after the start." in response.content.decode()
    assert Event.objects.count() == 0


def test_a_reporter_cannot_open_the_staff_form(reporter):
    # when
    response = _client(reporter).get("/community/events/new/")

    # then
    assert response.status_code == 403
    assert "Your account does not have access to this page." in response.content.decode()


def test_events_page_lists_upcoming_events_with_flat_queries(editor, viewer):
    # given one event, then five more
    _event(editor, title="First")
    client = _client(viewer)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/community/events/").status_code == 200
    for n in range(5):
        event = _event(editor, title=f"More {n}")
        event_services.event_sign_up(user=viewer, event_id=event.pk)

    # when
    with CaptureQueriesContext(connection) as large:
        response = client.get("/community/events/")

    # then
    assert response.content.decode().count('data-testid="event"') == 6
    assert len(large) == len(small)


def test_sign_up_through_the_page_then_the_full_event_says_waiting_list(editor):
    # given an event with one place
    event = _event(editor, capacity=1)
    first, second = UserFactory.create_batch(2)

    # when both sign up on the page
    first_page = _client(first).post(f"/community/events/{event.pk}/sign-up/", follow=True)
    second_page = _client(second).post(f"/community/events/{event.pk}/sign-up/", follow=True)

    # then the first has a place, the second is told clearly they are waiting
    assert "You have a place. See you there!" in first_page.content.decode()
    body = second_page.content.decode()
    assert "The event is full: you are number 1 on the waiting list." in body
    assert "Waiting list: number 1" in body
    assert dict(EventRegistration.objects.values_list("user_id", "state")) == {
        first.pk: "confirmed",
        second.pk: "waiting",
    }


def test_signing_up_twice_on_the_page_is_refused_clearly(editor, viewer):
    # given
    event = _event(editor, capacity=3)
    client = _client(viewer)
    client.post(f"/community/events/{event.pk}/sign-up/")

    # when
    response = client.post(f"/community/events/{event.pk}/sign-up/", follow=True)

    # then
    assert "You already have a place at this event." in response.content.decode()
    assert EventRegistration.objects.count() == 1


def test_cancel_on_the_page_promotes_the_waiting_person(editor):
    # given
    event = _event(editor, capacity=1)
    holder, waiter = UserFactory.create_batch(2)
    event_services.event_sign_up(user=holder, event_id=event.pk)
    event_services.event_sign_up(user=waiter, event_id=event.pk)

    # when
    response = _client(holder).post(f"/community/events/{event.pk}/cancel/", follow=True)

    # then
    assert "Your sign-up is cancelled." in response.content.decode()
    waiter_page = _client(waiter).get(f"/community/events/{event.pk}/").content.decode()
    assert "You have a place" in waiter_page


def test_the_join_link_of_an_online_event_is_only_for_people_with_a_place(editor, viewer):
    # given
    event = _event(editor, kind="online", place="", link="https://meet.example.org/room-7")

    # when / then: before signing up the link is hidden
    assert (
        "meet.example.org"
        not in _client(viewer).get(f"/community/events/{event.pk}/").content.decode()
    )
    assert _api(viewer).get(f"/api/v1/community/events/{event.pk}/").json()["link"] == ""

    # when they have a place
    event_services.event_sign_up(user=viewer, event_id=event.pk)

    # then
    assert (
        "https://meet.example.org/room-7"
        in _client(viewer).get(f"/community/events/{event.pk}/").content.decode()
    )
    assert _api(viewer).get(f"/api/v1/community/events/{event.pk}/").json()["link"] == (
        "https://meet.example.org/room-7"
    )


def test_staff_tick_attendance_on_the_sheet(editor):
    # given
    event = _event(editor, capacity=2)
    came, absent = UserFactory.create_batch(2)
    event_services.event_sign_up(user=came, event_id=event.pk)
    event_services.event_sign_up(user=absent, event_id=event.pk)
    _started(event)
    client = _client(editor)

    # when
    response = client.post(
        f"/community/events/{event.pk}/attendance/", {"attended": [str(came.pk)]}, follow=True
    )

    # then
    body = response.content.decode()
    assert "1 marked as attended; they earned their points." in body
    assert body.count('data-testid="attended"') == 1
    assert list(
        PointEvent.objects.filter(rule="event_attended").values_list("user_id", flat=True)
    ) == [came.pk]


def test_a_reporter_cannot_open_or_post_the_attendance_sheet(editor, reporter):
    # given
    event = _event(editor)
    event_services.event_sign_up(user=reporter, event_id=event.pk)
    _started(event)
    client = _client(reporter)

    # when
    page = client.get(f"/community/events/{event.pk}/attendance/")
    post = client.post(
        f"/community/events/{event.pk}/attendance/", {"attended": [str(reporter.pk)]}
    )

    # then
    assert (page.status_code, post.status_code) == (403, 403)
    assert not EventRegistration.objects.filter(attended_at__isnull=False).exists()


def test_api_sign_up_full_event_goes_to_the_waiting_list(editor):
    # given
    event = _event(editor, capacity=1)
    first, second = UserFactory.create_batch(2)
    _api(first).post(f"/api/v1/community/events/{event.pk}/sign-up/")

    # when
    response = _api(second).post(f"/api/v1/community/events/{event.pk}/sign-up/")

    # then
    assert response.status_code == 201
    data = response.json()
    assert (data["state"], data["waiting_position"]) == ("waiting", 1)
    assert "waiting list" in data["message"]


def test_api_refusals_use_the_error_shape_and_change_nothing(editor, viewer, reporter):
    # given an event that started, with the viewer holding a place
    event = _event(editor, capacity=2)
    event_services.event_sign_up(user=viewer, event_id=event.pk)
    _started(event)

    # when
    late = _api(reporter).post(f"/api/v1/community/events/{event.pk}/sign-up/")
    twice = _api(viewer).post(f"/api/v1/community/events/{event.pk}/sign-up/")
    attendance = _api(reporter).post(
        f"/api/v1/community/events/{event.pk}/attendance/",
        {"attendees": [viewer.pk]},
        format="json",
    )
    create = _api(editor).post(
        "/api/v1/community/events/",
        {
            "title": "Zero",
            "description": "x",
            "kind": "meetup",
            "starts_at": (timezone.now() + timedelta(days=1)).isoformat(),
            "ends_at": (timezone.now() + timedelta(days=1, hours=1)).isoformat(),
            "capacity": 0,
            "place": "Hall",
        },
        format="json",
    )

    # then
    assert (late.status_code, late.json()["error"]["code"]) == (409, "event_started")
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "event_started")
    assert attendance.status_code == 403
    assert create.status_code == 400
    assert "capacity" in create.json()["error"]["fields"]
    assert EventRegistration.objects.count() == 1
    assert Event.objects.count() == 1
    assert not EventRegistration.objects.filter(attended_at__isnull=False).exists()


def test_api_staff_mark_attendance(editor, viewer):
    # given
    event = _event(editor)
    event_services.event_sign_up(user=viewer, event_id=event.pk)
    _started(event)

    # when
    response = _api(editor).post(
        f"/api/v1/community/events/{event.pk}/attendance/",
        {"attendees": [viewer.pk]},
        format="json",
    )

    # then
    assert (response.status_code, response.json()) == (200, {"marked": [viewer.pk]})
    sheet = _api(editor).get(f"/api/v1/community/events/{event.pk}/attendance/").json()
    assert sheet["results"][0]["attended"] is True


def test_guest_expert_badge_shows_next_to_their_comments(staff_user, viewer):
    # given a published video with comments by an expert and by a viewer
    expert = UserFactory(display_name="Dr Amina Bello")
    video = VideoFactory(state="published", published_at=timezone.now())
    services.comment_create(user=expert, video_id=video.pk, body="The water level is 2 m.")
    services.comment_create(user=viewer, video_id=video.pk, body="Thanks for this!")

    # when staff give the badge on the staff page
    response = _client(staff_user).post(
        "/community/guest-experts/",
        {"email": expert.email, "title": "Hydrologist"},
        follow=True,
    )

    # then the watch page marks only the expert's comment
    assert "Guest expert badge given." in response.content.decode()
    page = Client().get(f"/videos/{video.pk}/").content.decode()
    assert page.count('data-testid="guest-expert"') == 1
    assert 'title="Hydrologist"' in page


def test_an_editor_cannot_give_the_badge_on_the_staff_page(editor, viewer):
    # when
    response = _client(editor).post("/community/guest-experts/", {"email": viewer.email})

    # then
    assert response.status_code == 403
    assert not GuestExpert.objects.exists()


def test_api_grant_and_read_the_badge(staff_user, viewer):
    # when
    granted = _api(staff_user).post(
        "/api/v1/community/guest-experts/",
        {"user": viewer.pk, "title": "Reporter, Daily"},
        format="json",
    )
    read = APIClient().get(f"/api/v1/community/guest-experts/{viewer.pk}/")

    # then
    assert granted.status_code == 201
    assert read.json() == {"user_id": viewer.pk, "guest_expert": True}


def test_event_text_is_rendered_inert(editor, viewer):
    # given an event whose title and description carry markup
    event = _event(
        editor,
        title='<script>alert("t")</script>Meet-up',
        description='<img src=x onerror="alert(1)">Bring water',
    )

    # when
    listing = _client(viewer).get("/community/events/").content.decode()
    page = _client(viewer).get(f"/community/events/{event.pk}/").content.decode()

    # then the markup is shown as text, never as tags
    for body in (listing, page):
        assert '<script>alert("t")</script>' not in body
        assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;Meet-up" in body
    assert '<img src=x onerror="alert(1)">' not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Bring water" in page
