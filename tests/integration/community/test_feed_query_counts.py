"""Home, watch, search and profile pages take the same number of SQL queries at any size."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.comments import services as comment_services
from community.models import Follow
from community.stories import services as story_services
from ingest.models import LiveSource, Program, Protocol, SourceState
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _world(*, size: int, reporter, viewer, editor, story) -> None:
    """`size` more of everything a page lists: reporters, videos, follows, stories, comments."""
    for n in range(size):
        other = UserFactory(roles=["reporter"], display_name=f"Harbour reporter {n}")
        Follow.objects.create(follower=viewer, reporter=other)
        for owner in (reporter, other):
            video = VideoFactory(
                owner=owner,
                state="published",
                published_at=timezone.now(),
                title=f"Harbour flood {owner.pk}-{n} 洪水",
            )
            story_services.story_add_video(user=editor, story_id=story.pk, video_id=video.pk)
            comment_services.comment_create(user=other, video_id=video.pk, body="Stay safe")
        VideoFactory(owner=reporter, state="pending_review", title=f"Harbour pending {n}")
        new_story = story_services.story_create(user=editor, title=f"Harbour story {n}")
        story_services.story_follow(user=viewer, story_id=new_story.pk)
        source = LiveSource.objects.create(
            reporter=other, title=f"Live {n}", protocol=Protocol.WHIP, state=SourceState.ON_AIR
        )
        Program.objects.create(
            slug=f"channel-{other.pk}", name=f"Channel {n}", running=True, program_source=source
        )


def _count(client: Client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, permissions, templates)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        lambda r, v: "/",
        lambda r, v: f"/videos/{v.pk}/",
        lambda r, v: "/search/?q=harbour",
        lambda r, v: "/search/?q=洪水",
        lambda r, v: f"/reporters/{r.pk}/",
        lambda r, v: "/api/v1/community/feed/",
        lambda r, v: "/api/v1/community/search/?q=flood",
        lambda r, v: f"/api/v1/community/reporters/{r.pk}/",
    ],
    ids=[
        "home",
        "watch",
        "search",
        "search_cjk",
        "profile",
        "feed_api",
        "search_api",
        "profile_api",
    ],
)
@pytest.mark.parametrize("as_owner", [False, True], ids=["viewer", "owner"])
def test_page_queries_do_not_grow_with_items(url: Callable, as_owner: bool, editor):
    # given a small world
    reporter = UserFactory(roles=["reporter"], display_name="Harbour Hana")
    viewer = UserFactory()
    story = story_services.story_create(user=editor, title="Harbour floods")
    first = VideoFactory(
        owner=reporter, state="published", published_at=timezone.now(), title="Harbour flood 洪水"
    )
    story_services.story_add_video(user=editor, story_id=story.pk, video_id=first.pk)
    _world(size=1, reporter=reporter, viewer=viewer, editor=editor, story=story)
    client = Client()
    client.force_login(reporter if as_owner else viewer)
    target = url(reporter, first)
    small = _count(client, target)

    # when it grows five-fold
    _world(size=5, reporter=reporter, viewer=viewer, editor=editor, story=story)

    # then every page takes the same number of queries
    assert _count(client, target) == small
