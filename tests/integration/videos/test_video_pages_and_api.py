"""Videos API (published list, detail with hls_url) and the pages: upload, watch, my videos."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.integration

RENDITIONS = [
    {
        "name": "240p",
        "height": 240,
        "width": 320,
        "bandwidth": 400000,
        "playlist": "240p/index.m3u8",
    }
]


def _published(**fields):
    fields.setdefault("output_prefix", "videos/x/v1/")
    fields.setdefault("renditions", RENDITIONS)
    fields.setdefault("poster_key", "videos/x/v1/poster.jpg")
    return VideoFactory(state="published", **fields)


def test_list_shows_only_published_videos_newest_first(db, django_assert_max_num_queries):
    # given
    reporter = UserFactory(roles=["reporter"])
    older = _published(owner=reporter, title="Older")
    newer = _published(owner=reporter, title="Newer")
    VideoFactory(owner=reporter, state="pending_review")
    VideoFactory(owner=reporter, state="hidden")
    # when
    with django_assert_max_num_queries(3):
        response = APIClient().get("/api/v1/videos/")
    # then
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 2
    assert [item["id"] for item in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0]["hls_url"] == f"http://testserver/videos/{newer.pk}/hls/master.m3u8"
    assert body["results"][0]["reporter"] == {"id": reporter.pk, "name": reporter.public_name}
    assert body["results"][0]["renditions"] == [
        {"name": "240p", "width": 320, "height": 240, "bandwidth": 400000}
    ]
    assert "capture_metadata" not in body["results"][0]


def test_list_filters_by_reporter_and_assignment(db):
    # given
    alice, bob = UserFactory(roles=["reporter"]), UserFactory(roles=["reporter"])
    flood = _published(owner=alice, assignment_ref="flood")
    _published(owner=alice, assignment_ref="market")
    bobs = _published(owner=bob, assignment_ref="flood")
    client = APIClient()
    # when
    by_bob = client.get("/api/v1/videos/", {"reporter": bob.pk}).json()
    on_flood = client.get("/api/v1/videos/", {"assignment": "flood"}).json()
    bad = client.get("/api/v1/videos/", {"reporter": "bob"})
    # then
    assert [item["id"] for item in by_bob["results"]] == [bobs.pk]
    assert {item["id"] for item in on_flood["results"]} == {flood.pk, bobs.pk}
    assert bad.status_code == 400


def test_list_is_paginated(db):
    # given
    for _ in range(21):
        _published()
    # when
    first = APIClient().get("/api/v1/videos/").json()
    second = APIClient().get("/api/v1/videos/", {"page": 2}).json()
    # then
    assert (first["count"], len(first["results"]), len(second["results"])) == (21, 20, 1)
    assert second["next"] is None


def test_detail_for_owner_shows_state_reason_and_hls_url(db):
    # given
    video = VideoFactory(state="failed", state_reason="This file is not a video we can read.")
    client = APIClient()
    client.force_authenticate(video.owner)
    # when
    body = client.get(f"/api/v1/videos/{video.pk}/").json()
    # then
    assert (body["state"], body["state_label"], body["state_reason"]) == (
        "failed",
        "Failed",
        "This file is not a video we can read.",
    )
    assert body["hls_url"] is None


def test_detail_of_unpublished_video_is_not_found_for_others(db):
    # given
    video = VideoFactory(state="pending_review", output_prefix="videos/x/v1/")
    client = APIClient()
    client.force_authenticate(UserFactory(roles=["reporter"]))
    # when
    as_other = client.get(f"/api/v1/videos/{video.pk}/")
    anonymous = APIClient().get(f"/api/v1/videos/{video.pk}/")
    # then
    assert as_other.status_code == anonymous.status_code == 404
    assert as_other.json()["error"]["code"] == "not_found"


def test_editor_sees_capture_metadata(db, editor):
    # given
    video = _published(capture_metadata={"location": "+06.45+003.39/"})
    client = APIClient()
    client.force_authenticate(editor)
    # when
    body = client.get(f"/api/v1/videos/{video.pk}/").json()
    anonymous = APIClient().get(f"/api/v1/videos/{video.pk}/").json()
    # then
    assert body["capture_metadata"] == {"location": "+06.45+003.39/"}
    assert "capture_metadata" not in anonymous


def test_upload_page_is_for_reporters(db, reporter, viewer):
    # given
    as_reporter, as_viewer, anonymous = Client(), Client(), Client()
    as_reporter.force_login(reporter)
    as_viewer.force_login(viewer)
    url = reverse("video-upload") + "?assignment=flood"
    # when
    page = as_reporter.get(url)
    # then
    assert page.status_code == 200
    assert b'accept="video/*" capture="environment"' in page.content
    assert b'value="flood"' in page.content
    assert as_viewer.get(url).status_code == 403
    assert anonymous.get(url).status_code == 302


def test_navigation_offers_upload_and_my_videos_to_reporters(db, reporter, viewer):
    # given
    as_reporter, as_viewer = Client(), Client()
    as_reporter.force_login(reporter)
    as_viewer.force_login(viewer)
    # when
    reporter_home = as_reporter.get("/").content.decode()
    viewer_home = as_viewer.get("/").content.decode()
    # then
    assert 'href="/videos/upload/"' in reporter_home
    assert 'href="/videos/mine/"' in reporter_home
    assert 'href="/videos/upload/"' not in viewer_home


def test_my_videos_shows_each_state_and_the_failure_reason(db, reporter):
    # given
    VideoFactory(owner=reporter, title="Bridge", state="processing", progress=40)
    VideoFactory(owner=reporter, title="Broken", state="failed", state_reason="Too long: 5 h.")
    VideoFactory(title="Someone else's")
    client = Client()
    client.force_login(reporter)
    # when
    page = client.get(reverse("my-videos")).content.decode()
    # then
    assert "Bridge" in page
    assert "Processing · 40%" in page
    assert "Broken" in page
    assert "Too long: 5 h." in page
    assert "Someone else" not in page


def test_watch_page_counts_views_of_published_videos(db):
    # given
    video = _published(title="Flooded road", description="Near the bridge")
    client, other = Client(), Client()
    other.force_login(UserFactory())
    # when one viewer opens the page twice and another once
    page = client.get(reverse("video-watch", args=[video.pk])).content.decode()
    client.get(reverse("video-watch", args=[video.pk]))
    other.get(reverse("video-watch", args=[video.pk]))
    # then each viewer counts once per window
    video.refresh_from_db()
    assert video.view_count == 2
    assert "Flooded road" in page
    assert "Near the bridge" in page
    assert f"By {video.owner.public_name}" in page
    assert '<option value="240">240p</option>' in page
    assert "1 view" in page
