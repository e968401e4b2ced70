"""The home page shows what is published, newest first, and nothing else."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import VideoFactory

pytestmark = pytest.mark.django_db


def _published(title: str, minutes_ago: int):
    return VideoFactory(
        title=title,
        state="published",
        published_at=timezone.now() - timezone.timedelta(minutes=minutes_ago),
    )


def test_home_lists_published_videos_newest_first_and_hides_the_rest(client: Client) -> None:
    # given two published clips and clips in every other state
    _published("Older flood footage", 30)
    _published("Newest market fire", 5)
    for state in ("uploading", "processing", "pending_review", "rejected", "hidden", "removed"):
        VideoFactory(title=f"Not public {state}", state=state)

    # when an anonymous visitor opens the home page
    response = client.get("/")

    # then only the published clips are listed, newest first, with a link to each
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Newest market fire") < html.index("Older flood footage")
    assert "Not public" not in html


def test_home_page_query_count_does_not_grow_with_videos(
    client: Client, django_assert_max_num_queries
) -> None:
    # given many published clips from many reporters
    for n in range(15):
        _published(f"Clip {n}", n)

    # when the home page renders, then the number of queries stays small and fixed: programs,
    # sources on air, stories, newest and most watched (community/feed/selectors.py)
    with django_assert_max_num_queries(5):
        assert client.get("/").status_code == 200


def test_home_page_says_when_nothing_is_published(client: Client) -> None:
    # when nothing is published yet
    response = client.get("/")
    # then the visitor is told why the list is empty
    assert "Nothing has been published yet" in response.content.decode()
