"""Search API: the same matches as the page, in one error shape for bad queries."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from community.stories import services
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def test_search_api_returns_videos_reporters_and_stories(editor):
    # given
    reporter = UserFactory(roles=["reporter"], display_name="洪水 Watcher")
    video = VideoFactory(
        owner=reporter, state="published", published_at=timezone.now(), title="城市洪水现场"
    )
    VideoFactory(owner=reporter, state="pending_review", title="洪水 pending")
    story = services.story_create(user=editor, title="南方洪水")

    # when
    body = APIClient().get("/api/v1/community/search/", {"q": "洪水"}).json()

    # then
    assert body["query"] == "洪水"
    assert body["page"] == 1
    assert body["has_next"] is False
    assert body["full_text"] is False  # Chinese always matches by substring
    assert [v["id"] for v in body["videos"]] == [video.pk]
    assert body["videos"][0]["reporter"] == {"id": reporter.pk, "name": "洪水 Watcher"}
    assert [r["id"] for r in body["reporters"]] == [reporter.pk]
    assert body["reporters"][0]["published"] == 1
    assert body["reporters"][0]["profile_url"].endswith(f"/reporters/{reporter.pk}/")
    assert [s["id"] for s in body["stories"]] == [story.pk]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "query_empty"),
        ({"q": "  "}, "query_empty"),
        ({"q": "x" * 500}, "query_too_long"),
        ({"q": "flood", "page": "0"}, "invalid"),
        ({"q": "flood", "page": "two"}, "invalid"),
    ],
)
def test_search_api_refuses_bad_queries(params, code):
    # given
    VideoFactory(state="published", published_at=timezone.now(), title="flood")

    # when
    response = APIClient().get("/api/v1/community/search/", params)

    # then
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]


def test_control_characters_in_a_query_are_ignored():
    # given
    video = VideoFactory(state="published", published_at=timezone.now(), title="Night market")

    # when
    body = APIClient().get("/api/v1/community/search/", {"q": "night\x00\x07 market"}).json()
    empty = APIClient().get("/api/v1/community/search/", {"q": "\x00"})

    # then
    assert body["query"] == "night market"
    assert [v["id"] for v in body["videos"]] == [video.pk]
    assert empty.status_code == 400
    assert empty.json()["error"]["code"] == "query_empty"
