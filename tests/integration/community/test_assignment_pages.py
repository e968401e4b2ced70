"""Assignment pages and API: publish form, list near-first with flat queries, detail, use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from community.assignments import services
from community.models import Assignment, AssignmentUse
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _publish(editor, title: str = "Market fire", city: str = "Lagos") -> Assignment:
    now = timezone.now()
    return services.assignment_publish(
        user=editor,
        title=title,
        brief="Smoke from the east side.",
        city=city,
        starts_at=now,
        ends_at=now + timedelta(hours=3),
        urgency="breaking",
        points_bonus=10,
    )


def test_editor_publishes_through_the_form(editor):
    # when
    response = _client(editor).post(
        "/community/assignments/new/",
        {
            "title": "Bridge closure",
            "brief": "Queues at both ends.",
            "city": "Lagos",
            "starts_at": "2026-11-26T08:00",
            "ends_at": "2026-11-26T12:00",
            "urgency": "high",
            "points_bonus": "25",
        },
    )

    # then
    assignment = Assignment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/community/assignments/{assignment.pk}/"
    assert (assignment.title, assignment.urgency, assignment.points_bonus) == (
        "Bridge closure",
        "high",
        25,
    )


def test_form_shows_the_services_refusal(editor):
    # when
    response = _client(editor).post(
        "/community/assignments/new/",
        {
            "title": "Backwards",
            "brief": "x",
            "city": "Lagos",
            "starts_at": "2026-11-26T12:00",
            "ends_at": "2026-11-26T08:00",
            "urgency": "high",
            "points_bonus": "0",
        },
    )

    # then
    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()
    assert Assignment.objects.count() == 0


def test_reporter_cannot_open_the_form(reporter):
    response = _client(reporter).get("/community/assignments/new/")
    assert response.status_code == 403


def test_list_query_count_is_flat(editor, reporter):
    # given
    client = _client(reporter)
    _publish(editor)
    client.get("/community/assignments/")
    with CaptureQueriesContext(connection) as few:
        client.get("/community/assignments/")

    # when there are many more with contributions
    for number in range(8):
        assignment = _publish(editor, title=f"Call {number}", city="Abuja")
        VideoFactory(owner=reporter, state="published", assignment_ref=assignment.ref)

    # then
    with CaptureQueriesContext(connection) as many:
        response = client.get("/community/assignments/")
    assert len(many) == len(few)
    assert response.content.decode().count('data-testid="assignment"') == 9


def test_detail_lists_contributions_and_editor_marks_one_used(editor, reporter):
    # given
    assignment = _publish(editor)
    clip = VideoFactory(
        owner=reporter, state="published", assignment_ref=assignment.ref, title="Smoke clip"
    )
    VideoFactory(owner=reporter, state="pending_review", assignment_ref=assignment.ref, title="Raw")

    # when
    page = Client().get(f"/community/assignments/{assignment.pk}/").content.decode()
    used = _client(editor).post(f"/community/assignments/{assignment.pk}/use/{clip.pk}/")
    closed = _client(editor).post(f"/community/assignments/{assignment.pk}/close/")

    # then
    assert "Smoke clip" in page
    assert "Raw" not in page
    assert used.status_code == 302
    assert closed.status_code == 302
    assert AssignmentUse.objects.get().video_id == clip.pk
    assignment.refresh_from_db()
    assert assignment.state == "closed"
    after = Client().get("/community/assignments/").content.decode()
    assert "Market fire" not in after


def test_api_publish_list_and_refusals(editor):
    # given
    api = APIClient()
    api.force_authenticate(editor)
    reader = APIClient()
    reader.force_authenticate(UserFactory(city="Abuja"))
    _publish(editor, title="Lagos call", city="Lagos")

    # when
    created = api.post(
        "/api/v1/community/assignments/",
        {
            "title": "Abuja call",
            "brief": "Crowd at the stadium.",
            "city": "Abuja",
            "starts_at": "2026-11-26T08:00:00Z",
            "ends_at": "2026-11-26T12:00:00Z",
        },
        format="json",
    )
    listing = reader.get("/api/v1/community/assignments/")
    refused = reader.post(
        "/api/v1/community/assignments/",
        {
            "title": "x",
            "brief": "x",
            "city": "x",
            "starts_at": "2026-11-26T08:00:00Z",
            "ends_at": "2026-11-26T12:00:00Z",
        },
        format="json",
    )

    # then
    assert created.status_code == 201
    assert created.json()["urgency"] == "normal"
    assert [row["title"] for row in listing.json()["results"]] == ["Abuja call", "Lagos call"]
    assert [row["contributions"] for row in listing.json()["results"]] == [0, 0]
    assert refused.status_code == 403
    assert Assignment.objects.count() == 2
