"""Accepting assignments on the page and in the API; the go-live link carries the assignment;
the story page shows its live banner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from community.assignments import services as assignment_services
from community.models import Assignment, AssignmentAcceptance
from community.stories import services as story_services
from ingest.models import LiveSource, StreamKey

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _publish(editor, **overrides) -> Assignment:
    now = timezone.now()
    fields = {
        "title": "Bridge repairs",
        "brief": "Traffic on both sides.",
        "city": "Lagos",
        "starts_at": now,
        "ends_at": now + timedelta(hours=4),
    }
    fields.update(overrides)
    return assignment_services.assignment_publish(user=editor, **fields)


def test_reporter_accepts_on_the_page_and_finds_it_on_their_list(editor, reporter):
    # given
    assignment = _publish(editor)
    client = _client(reporter)

    # when
    response = client.post(f"/community/assignments/{assignment.pk}/accept/", follow=True)

    # then
    body = response.content.decode()
    assert "Accepted: it is on your list." in body
    assert 'data-testid="assignment-accepted"' in body
    assert f'href="/live/go/?assignment={assignment.pk}"' in body
    mine = client.get("/community/assignments/mine/").content.decode()
    assert mine.count('data-testid="accepted-assignment"') == 1
    assert "Bridge repairs" in mine


def test_accepting_twice_on_the_page_says_so(editor, reporter):
    # given
    assignment = _publish(editor)
    client = _client(reporter)
    client.post(f"/community/assignments/{assignment.pk}/accept/")

    # when
    response = client.post(f"/community/assignments/{assignment.pk}/accept/", follow=True)

    # then
    assert "You have already accepted this assignment." in response.content.decode()
    assert AssignmentAcceptance.objects.count() == 1


def test_api_accept_list_and_refusals(editor, reporter, viewer):
    # given
    assignment = _publish(editor)
    api = APIClient()
    api.force_authenticate(reporter)
    viewer_api = APIClient()
    viewer_api.force_authenticate(viewer)

    # when
    accepted = api.post(f"/api/v1/community/assignments/{assignment.pk}/accept/")
    twice = api.post(f"/api/v1/community/assignments/{assignment.pk}/accept/")
    by_viewer = viewer_api.post(f"/api/v1/community/assignments/{assignment.pk}/accept/")
    mine = api.get("/api/v1/community/assignments/mine/")
    detail = api.get(f"/api/v1/community/assignments/{assignment.pk}/")

    # then
    assert accepted.status_code == 201
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "already_accepted")
    assert by_viewer.status_code == 403
    assert [row["id"] for row in mine.json()["results"]] == [assignment.pk]
    assert (detail.json()["accepted"], detail.json()["acceptances"]) == (True, 1)
    assert AssignmentAcceptance.objects.count() == 1


def test_editor_ties_an_assignment_to_a_story_in_the_form(editor):
    # given
    story = story_services.story_create(user=editor, title="Rainy season")

    # when
    response = _client(editor).post(
        "/community/assignments/new/",
        {
            "title": "Flooded streets",
            "brief": "Depth of the water.",
            "city": "Lagos",
            "starts_at": "2026-11-26T08:00",
            "ends_at": "2026-11-26T12:00",
            "urgency": "high",
            "points_bonus": "0",
            "story_id": str(story.pk),
        },
        follow=True,
    )

    # then
    assert Assignment.objects.get().story_id == story.pk
    assert 'data-testid="assignment-story"' in response.content.decode()


def test_go_live_page_ties_its_stream_key_to_the_assignment(editor, reporter):
    # given
    assignment = _publish(editor)

    # when
    client = _client(reporter)
    page = client.get(f"/live/go/?assignment={assignment.pk}")
    response = client.post("/live/go/key/", {"assignment": str(assignment.pk)})

    # then (the page carries the assignment; its key, asked for by POST, is tied to it)
    assert page.status_code == 200
    assert response.status_code == 200
    key = StreamKey.objects.get(user=reporter, for_browser=True, revoked_at__isnull=True)
    assert key.assignment_ref == assignment.ref


def test_story_page_shows_the_live_banner_only_while_on_air(editor, reporter):
    # given a story fed by an assignment with a source on air for it
    story = story_services.story_create(user=editor, title="Rainy season")
    assignment = _publish(editor, story_id=story.pk)
    source = LiveSource.objects.create(
        reporter=reporter,
        title="Live from the flooded street",
        assignment_ref=assignment.ref,
        protocol="whip",
        state="on_air",
    )

    # when
    on_air = Client().get(f"/community/stories/{story.pk}/").content.decode()
    LiveSource.objects.filter(pk=source.pk).update(state="ended")
    ended = Client().get(f"/community/stories/{story.pk}/").content.decode()

    # then
    assert 'data-testid="story-live-banner"' in on_air
    assert "Live from the flooded street" in on_air
    assert 'data-testid="story-live-banner"' not in ended
    api = APIClient().get(f"/api/v1/community/stories/{story.pk}/").json()
    assert api["on_air"] == []
