"""The home feed: on air now, what a person follows first, stories, newest and most watched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from community.models import Follow
from community.stories import services
from ingest.models import LiveSource, Program, ProgramMode, Protocol, SourceState
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _published(owner=None, **fields):
    extra = {"owner": owner} if owner is not None else {}
    fields.setdefault("published_at", timezone.now())
    return VideoFactory(state="published", **extra, **fields)


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</ul>", start)]


def test_anonymous_home_shows_newest_and_most_watched_published_videos_only():
    # given
    old = _published(title="Old market", published_at=timezone.now() - timedelta(days=3))
    old.view_count = 900
    old.save(update_fields=["view_count"])
    new = _published(title="New bridge")
    hidden = {
        state: VideoFactory(state=state, title=f"Secret {state}")
        for state in ("pending_review", "rejected", "hidden", "removed", "processing")
    }

    # when
    html = Client().get("/").content.decode()

    # then newest first in "Latest", the most viewed first in "Most watched"
    latest = _section(html, "latest-videos")
    assert latest.index("New bridge") < latest.index("Old market")
    watched = _section(html, "most-watched")
    assert watched.index("Old market") < watched.index("New bridge")
    for video in hidden.values():
        assert video.title not in html
    assert f'href="/reporters/{new.owner_id}/"' in html
    assert 'href="/search/"' in html  # the header's Search link
    assert 'data-testid="following"' not in html


def test_home_shows_sources_on_air_and_not_those_merely_live():
    # given
    reporter = UserFactory(roles=["reporter"], display_name="Ada Field")
    LiveSource.objects.create(
        reporter=reporter,
        title="Flood at the harbour",
        protocol=Protocol.WHIP,
        state=SourceState.ON_AIR,
        live_at=timezone.now(),
    )
    LiveSource.objects.create(
        reporter=reporter, title="Waiting backstage", protocol=Protocol.RTMP, state=SourceState.LIVE
    )

    # when
    html = Client().get("/").content.decode()

    # then
    start = html.index('data-testid="on-air"')
    on_air = html[start : html.index("</section>", start)]
    assert "Flood at the harbour" in on_air
    assert "Ada Field" in on_air
    assert "Waiting backstage" not in html


def test_home_links_running_programs_with_the_source_they_air():
    # given a running channel airing a source, and a stopped one
    reporter = UserFactory(roles=["reporter"], display_name="Kofi Live")
    source = LiveSource.objects.create(
        reporter=reporter,
        title="Bridge reopening",
        protocol=Protocol.SRT,
        state=SourceState.ON_AIR,
        live_at=timezone.now(),
    )
    Program.objects.update_or_create(
        slug="main",
        defaults={
            "name": "Main channel",
            "running": True,
            "mode": ProgramMode.SOURCE,
            "program_source": source,
        },
    )
    Program.objects.create(slug="spare", name="Spare channel", running=False)

    # when
    html = Client().get("/").content.decode()
    body = APIClient().get("/api/v1/community/feed/").json()

    # then the source shows once, inside its program's card, with a link to watch
    start = html.index('data-testid="on-air"')
    on_air = html[start : html.index("</section>", start)]
    assert on_air.count("Bridge reopening") == 1
    assert 'href="/live/main/"' in on_air
    assert "Kofi Live" in on_air
    assert "Spare channel" not in html
    assert [p["slug"] for p in body["programs"]] == ["main"]
    assert body["programs"][0]["source"]["title"] == "Bridge reopening"
    assert body["programs"][0]["watch_url"].endswith("/live/main/")
    assert body["on_air"] == []


def test_logged_in_home_puts_followed_reporters_and_stories_first(editor):
    # given a viewer who follows one reporter and one story
    viewer = UserFactory()
    followed = UserFactory(roles=["reporter"])
    stranger = UserFactory(roles=["reporter"])
    Follow.objects.create(follower=viewer, reporter=followed)
    theirs = _published(owner=followed, title="Followed reporter clip")
    in_story = _published(owner=stranger, title="Clip in a followed story")
    _published(owner=stranger, title="Unrelated clip")
    story = services.story_create(user=editor, title="Harbour floods")
    services.story_add_video(user=editor, story_id=story.pk, video_id=in_story.pk)
    services.story_follow(user=viewer, story_id=story.pk)
    client = Client()
    client.force_login(viewer)

    # when
    html = client.get("/").content.decode()

    # then what they follow comes before the latest videos
    following = _section(html, "following-videos")
    assert "Followed reporter clip" in following
    assert "Clip in a followed story" in following
    assert "Unrelated clip" not in following
    assert "Harbour floods" in _section(html, "following-stories")
    assert html.index('data-testid="following"') < html.index('data-testid="latest-videos"')
    assert theirs.title in _section(html, "latest-videos")


def test_followed_reporter_hidden_video_leaves_the_following_section():
    # given
    viewer = UserFactory()
    followed = UserFactory(roles=["reporter"])
    Follow.objects.create(follower=viewer, reporter=followed)
    VideoFactory(owner=followed, state="hidden", title="Reported clip")
    client = Client()
    client.force_login(viewer)

    # when
    html = client.get("/").content.decode()

    # then
    assert "Reported clip" not in html
    assert "Nothing new from the people and stories you follow yet." in html


def test_feed_api_lists_the_same_sections(editor):
    # given
    viewer = UserFactory()
    followed = UserFactory(roles=["reporter"])
    Follow.objects.create(follower=viewer, reporter=followed)
    clip = _published(owner=followed, title="Followed clip")
    VideoFactory(owner=followed, state="pending_review", title="Pending clip")
    story = services.story_create(user=editor, title="Elections")
    api = APIClient()
    api.force_authenticate(viewer)

    # when
    body = api.get("/api/v1/community/feed/").json()
    anonymous = APIClient().get("/api/v1/community/feed/").json()

    # then
    assert [v["id"] for v in body["following_videos"]] == [clip.pk]
    assert [v["id"] for v in body["newest"]] == [clip.pk]
    assert [v["id"] for v in body["most_watched"]] == [clip.pk]
    assert [s["id"] for s in body["stories"]] == [story.pk]
    assert body["on_air"] == []
    assert anonymous["following_videos"] == []
    assert [v["id"] for v in anonymous["newest"]] == [clip.pk]
