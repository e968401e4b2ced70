"""The watch page's comment block: rendering, HTMX posts, XSS inert, constant query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.comments import services as comment_services
from community.likes import services as like_services
from community.models import Comment, CommentState
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db

XSS = [
    "<script>document.title='pwned'</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    'https://x.org/"onclick="alert(1)',
]


@pytest.fixture
def video(reporter):
    return VideoFactory(owner=reporter, state="published", published_at=timezone.now())


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_watch_page_shows_threads_two_levels_deep_with_show_more(video, viewer):
    # given a chain of four comments: top -> r1 -> r2 -> r3
    top = comment_services.comment_create(user=viewer, video_id=video.pk, body="level zero")
    r1 = comment_services.comment_create(
        user=viewer, video_id=video.pk, body="level one", parent_id=top.pk
    )
    r2 = comment_services.comment_create(
        user=viewer, video_id=video.pk, body="level two", parent_id=r1.pk
    )
    comment_services.comment_create(
        user=viewer, video_id=video.pk, body="level three", parent_id=r2.pk
    )

    # when
    html = Client().get(f"/videos/{video.pk}/").content.decode()

    # then
    assert "level zero" in html
    assert "level one" in html
    assert "level two" in html
    assert "level three" not in html
    assert f'href="/community/comments/{r2.pk}/" data-testid="show-more">Show 1 more reply' in html

    # when the thread of r2 is opened
    thread = Client().get(f"/community/comments/{r2.pk}/").content.decode()

    # then
    assert "level two" in thread
    assert "level three" in thread
    assert "level zero" not in thread


def test_htmx_post_returns_the_block_with_the_new_comment(video, viewer):
    # when
    response = _client(viewer).post(
        f"/community/videos/{video.pk}/comments/",
        {"body": "From the HTMX form"},
        HTTP_HX_REQUEST="true",
    )

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<style>")
    assert 'id="community-block"' in html
    assert "From the HTMX form" in html
    assert Comment.objects.get().body == "From the HTMX form"


def test_plain_form_post_redirects_back_to_the_watch_page(video, viewer):
    # when
    response = _client(viewer).post(
        f"/community/videos/{video.pk}/comments/", {"body": "no javascript"}
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == f"/videos/{video.pk}/#community-block"
    assert Comment.objects.get().body == "no javascript"


def test_too_long_comment_shows_the_reason_in_the_block(video, viewer):
    # when
    response = _client(viewer).post(
        f"/community/videos/{video.pk}/comments/",
        {"body": "x" * 10_000},
        HTTP_HX_REQUEST="true",
    )

    # then
    html = response.content.decode()
    assert (
        'data-testid="community-error">A comment can be at most 5000 characters; '
        "this one has 10000.</p>"
    ) in html
    assert Comment.objects.count() == 0


def test_comment_form_on_unpublished_video_is_404_and_nothing_stored(reporter, viewer):
    # given
    video = VideoFactory(owner=reporter, state="pending_review")

    # when
    response = _client(viewer).post(
        f"/community/videos/{video.pk}/comments/", {"body": "hi"}, HTTP_HX_REQUEST="true"
    )

    # then
    assert response.status_code == 404
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_render_inert_on_the_watch_page(video, viewer, payload):
    # given
    comment_services.comment_create(user=viewer, video_id=video.pk, body=payload)

    # when
    html = Client().get(f"/videos/{video.pk}/").content.decode()

    # then
    block = html[html.index('id="community-block"') :]
    assert "<script>document" not in block
    assert "<img src=x" not in block
    assert "<svg" not in block
    assert 'onclick="alert' not in block


def test_editor_removes_through_the_page(video, viewer, editor):
    # given
    comment = comment_services.comment_create(user=viewer, video_id=video.pk, body="nasty words")

    # when
    response = _client(editor).post(
        f"/community/comments/{comment.pk}/remove/", HTTP_HX_REQUEST="true"
    )

    # then
    html = response.content.decode()
    assert "nasty words" not in html
    assert "This comment was removed by an editor." in html
    comment.refresh_from_db()
    assert comment.state == CommentState.REMOVED


def test_held_comment_is_shown_only_to_its_author_and_editors(video, viewer, editor, settings):
    # given
    settings.MODERATION_TERM_LISTS = {"default": ["spam"]}
    comment_services.comment_create(user=viewer, video_id=video.pk, body="buy spam here")

    # when
    anonymous = Client().get(f"/videos/{video.pk}/").content.decode()
    author = _client(viewer).get(f"/videos/{video.pk}/").content.decode()
    held_page = _client(editor).get("/community/held/", follow=True).content.decode()

    # then
    assert "buy spam here" not in anonymous
    assert "buy spam here" in author
    assert "waiting for review" in author
    assert "buy spam here" in held_page


def _thread(video, people):
    for person in people:
        top = comment_services.comment_create(user=person, video_id=video.pk, body="top")
        reply = comment_services.comment_create(
            user=person, video_id=video.pk, body="reply", parent_id=top.pk
        )
        comment_services.comment_create(
            user=person, video_id=video.pk, body="deep", parent_id=reply.pk
        )
        Comment.objects.filter(author=person).update(created_at=timezone.now() - timedelta(hours=1))


def test_watch_page_queries_do_not_grow_with_comments(video, django_assert_num_queries):
    # given a signed-in viewer and one thread
    viewer = UserFactory(roles=["reporter"])
    client = _client(viewer)
    _thread(video, [UserFactory() for _ in range(1)])
    url = f"/videos/{video.pk}/"
    client.get(url)  # warm caches (permissions, content types)
    with CaptureQueriesContext(connection) as small:
        client.get(url)

    # when there are six more threads with likes
    people = [UserFactory() for _ in range(6)]
    _thread(video, people)
    for comment in Comment.objects.all()[:5]:
        like_services.comment_like(user=viewer, comment_id=comment.pk)

    # then the page takes the same number of queries
    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert response.content.decode().count('data-testid="comment"') == 21


def test_reporter_closes_comments_from_the_watch_page(video, viewer):
    # when
    response = _client(video.owner).post(
        f"/community/videos/{video.pk}/comment-settings/",
        {"mode": "closed"},
        HTTP_HX_REQUEST="true",
    )
    refused = _client(viewer).post(
        f"/community/videos/{video.pk}/comments/", {"body": "late"}, HTTP_HX_REQUEST="true"
    )

    # then
    assert 'data-testid="comments-closed"' in response.content.decode()
    assert '<option value="closed" selected>' in response.content.decode()
    assert 'data-testid="community-error">Comments are closed on this video.' in (
        refused.content.decode()
    )
    assert Comment.objects.count() == 0


def test_viewer_does_not_get_the_settings_form(video, viewer):
    html = _client(viewer).get(f"/videos/{video.pk}/").content.decode()
    assert 'data-testid="comment-mode"' not in html
