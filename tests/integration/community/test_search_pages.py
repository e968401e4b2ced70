"""Search page: Chinese and English queries, stemming on PostgreSQL, pagination, bad queries.

Only published videos are ever found, whoever searches.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from community.search.selectors import SEARCH_PAGE_SIZE
from community.stories import services
from fieldcast.videos.models import Video
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def _published(**fields):
    fields.setdefault("published_at", timezone.now())
    return VideoFactory(state="published", **fields)


def _videos(html: str) -> str:
    if 'data-testid="search-videos"' not in html:
        return ""
    start = html.index('data-testid="search-videos"')
    return html[start : html.index("</ul>", start)]


def test_chinese_query_finds_a_chinese_title_and_description():
    # given
    in_title = _published(title="城市洪水现场", description="")
    in_text = _published(title="Market", description="今天早上的洪水很大")
    _published(title="城市交通", description="堵车")

    # when
    html = Client().get("/search/", {"q": "洪水"}).content.decode()

    # then
    found = _videos(html)
    assert in_title.title in found
    assert in_text.title in found
    assert "城市交通" not in found


def test_chinese_query_of_several_words_needs_each_word():
    # given
    both = _published(title="城市洪水现场 直播")
    _published(title="洪水 only")

    # when
    html = Client().get("/search/", {"q": "洪水 现场"}).content.decode()

    # then
    found = _videos(html)
    assert both.title in found
    assert "洪水 only" not in found


def test_english_query_is_stemmed_on_postgresql_and_matched_as_text_on_sqlite():
    # given
    floods = _published(title="Floods in the old town", description="Water everywhere.")
    _published(title="Election night", description="Counting votes.")

    # when
    stemmed = _videos(Client().get("/search/", {"q": "flooding"}).content.decode())
    plain = _videos(Client().get("/search/", {"q": "FLOOD"}).content.decode())

    # then PostgreSQL's English configuration finds "floods" for "flooding"; both find "flood"
    assert (floods.title in stemmed) is (connection.vendor == "postgresql")
    assert floods.title in plain
    assert "Election night" not in plain


def test_full_text_ranks_title_matches_above_description_matches():
    # given
    in_description = _published(title="Morning news", description="A protest at the port.")
    in_title = _published(
        title="Protest at the port",
        description="Filmed today.",
        published_at=timezone.now() - timezone.timedelta(days=2),
    )

    # when
    found = _videos(Client().get("/search/", {"q": "protest"}).content.decode())

    # then on PostgreSQL the title match ranks first; substring search lists newest first
    first, second = (
        (in_title, in_description)
        if connection.vendor == "postgresql"
        else (in_description, in_title)
    )
    assert found.index(first.title) < found.index(second.title)


@pytest.mark.parametrize("state", ["pending_review", "rejected", "hidden", "removed", "failed"])
@pytest.mark.parametrize("who", ["anonymous", "owner", "editor"])
def test_unpublished_videos_are_never_found(state, who, editor):
    # given
    video = VideoFactory(state=state, title="Harbour fire 港口火灾")
    client = Client()
    if who == "owner":
        client.force_login(video.owner)
    elif who == "editor":
        client.force_login(editor)

    # when
    english = client.get("/search/", {"q": "harbour fire"}).content.decode()
    chinese = client.get("/search/", {"q": "火灾"}).content.decode()

    # then
    assert video.title not in english
    assert video.title not in chinese
    assert 'data-testid="search-empty"' in english


def test_results_come_a_page_at_a_time():
    # given one more match than two pages
    for n in range(2 * SEARCH_PAGE_SIZE + 1):
        _published(
            title=f"Storm report {n:02d}",
            published_at=timezone.now() - timezone.timedelta(minutes=n),
        )

    # when
    pages = [
        Client().get("/search/", {"q": "storm", "page": page}).content.decode()
        for page in (1, 2, 3)
    ]

    # then
    counts = [_videos(html).count('class="video-card"') for html in pages]
    assert counts == [SEARCH_PAGE_SIZE, SEARCH_PAGE_SIZE, 1]
    assert 'data-testid="search-next"' in pages[0]
    assert 'data-testid="search-next"' not in pages[2]
    assert 'data-testid="search-prev"' in pages[2]
    seen = "".join(_videos(html) for html in pages)
    assert all(f"Storm report {n:02d}" in seen for n in range(2 * SEARCH_PAGE_SIZE + 1))


def test_reporters_and_stories_are_found_by_name_and_title(editor):
    # given
    reporter = UserFactory(roles=["reporter"], display_name="Li Hua 李华")
    _published(owner=reporter, title="Bridge")
    UserFactory(display_name="Li Viewer")  # a viewer, not a reporter
    story = services.story_create(user=editor, title="台风 Typhoon coverage", summary="Landfall")

    # when
    by_name = Client().get("/search/", {"q": "li"}).content.decode()
    by_chinese_name = Client().get("/search/", {"q": "李华"}).content.decode()
    by_story = Client().get("/search/", {"q": "typhoon"}).content.decode()
    by_chinese_story = Client().get("/search/", {"q": "台风"}).content.decode()

    # then
    assert f'href="/reporters/{reporter.pk}/"' in by_name
    assert "Li Viewer" not in by_name
    assert f'href="/reporters/{reporter.pk}/"' in by_chinese_name
    assert f'href="/community/stories/{story.pk}/"' in by_story
    assert f'href="/community/stories/{story.pk}/"' in by_chinese_story


def test_empty_query_shows_the_form_and_no_results():
    # given
    _published(title="Anything")

    # when
    response = Client().get("/search/", {"q": "   "})

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="search-input"' in html
    assert "Anything" not in html
    assert 'data-testid="search-error"' not in html


def test_a_500_character_query_is_refused_with_a_clear_message():
    # given
    _published(title="a" * 50)
    before = Video.objects.count()

    # when
    response = Client().get("/search/", {"q": "a" * 500})

    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert "Search for at most 200 characters." in html
    assert 'class="video-card"' not in html
    assert Video.objects.count() == before


def test_titles_with_markup_are_shown_as_text():
    # given
    _published(title='Riot <script>alert("x")</script> <img src=x onerror=alert(1)>')

    # when
    html = Client().get("/search/", {"q": "riot"}).content.decode()

    # then
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_query_is_shown_escaped_back_in_the_form():
    # when
    html = Client().get("/search/", {"q": '"><script>alert(1)</script>'}).content.decode()

    # then
    assert "<script>alert(1)</script>" not in html
    assert "&quot;&gt;&lt;script&gt;" in html
