"""Story pages and API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from community.models import StoryFollow, StoryItem
from community.stories import services
from tests.factories import VideoFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_editor_builds_a_story_from_the_pages_and_a_viewer_follows_it(editor, reporter, viewer):
    # given
    video = VideoFactory(
        owner=reporter, state="published", published_at=timezone.now(), title="Bridge clip"
    )
    client = _client(editor)

    # when
    created = client.post("/community/stories/new/", {"title": "Bridge collapse"})
    story_url = created["Location"]
    client.post(f"{story_url}items/", {"kind": "update", "text": "<b>Rescue</b> under way"})
    client.post(f"{story_url}items/", {"kind": "video", "video": str(video.pk)})
    followed = _client(viewer).post(f"{story_url}follow/")
    page = Client().get(story_url).content.decode()

    # then
    assert followed.status_code == 302
    assert "Bridge collapse" in page
    assert "&lt;b&gt;Rescue&lt;/b&gt; under way" in page
    assert "Bridge clip" in page
    assert page.count('data-testid="timeline-item"') == 2
    assert StoryFollow.objects.get().user_id == viewer.pk


def test_api_timeline_and_refusals(editor, reporter, viewer):
    # given
    story = services.story_create(user=editor, title="Strike")
    video = VideoFactory(owner=reporter, state="published", published_at=timezone.now())
    api = APIClient()
    api.force_authenticate(editor)
    other = APIClient()
    other.force_authenticate(viewer)

    # when
    added = api.post(
        f"/api/v1/community/stories/{story.pk}/items/",
        {"kind": "video", "video": video.pk},
        format="json",
    )
    refused = other.post(
        f"/api/v1/community/stories/{story.pk}/items/",
        {"kind": "update", "text": "hi"},
        format="json",
    )
    timeline = APIClient().get(f"/api/v1/community/stories/{story.pk}/")

    # then
    assert added.status_code == 201
    assert refused.status_code == 403
    assert [(i["kind"], i["video_id"]) for i in timeline.json()["items"]] == [("video", video.pk)]
    assert StoryItem.objects.count() == 1
