"""Comments on the story page (form, HTMX, "show more" thread), their API, and a held story
comment in the moderation queue."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from community.comments import services as comment_services
from community.models import Comment
from community.stories import services as story_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def story(editor):
    return story_services.story_create(user=editor, title="Floods in the north")


def test_a_viewer_comments_on_the_story_page(story, viewer):
    # when
    response = _client(viewer).post(
        f"/community/stories/{story.pk}/comments/", {"body": "Roads are cut off."}, follow=True
    )

    # then
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/community/stories/{story.pk}/#community-block"
    assert "Roads are cut off." in body
    assert Comment.objects.get().story_id == story.pk


def test_htmx_reply_answers_with_the_story_block(story, viewer):
    # given
    top = comment_services.comment_create(user=viewer, story_id=story.pk, body="Roads are cut off.")

    # when
    response = _client(viewer).post(
        f"/community/stories/{story.pk}/comments/",
        {"body": "Which ones?", "parent": str(top.pk)},
        headers={"HX-Request": "true"},
    )

    # then the block comes back (not a page), the reply under its parent
    body = response.content.decode()
    assert body.lstrip().startswith("<style>")
    assert 'data-testid="community-block"' in body
    assert f'action="/community/stories/{story.pk}/comments/"' in body
    assert body.index("Roads are cut off.") < body.index("Which ones?")


def test_an_empty_story_comment_is_refused_on_the_page(story, viewer):
    # when
    response = _client(viewer).post(
        f"/community/stories/{story.pk}/comments/", {"body": "  "}, follow=True
    )

    # then
    assert "Write something first." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_comment_on_a_missing_story_is_not_stored(viewer):
    # when
    response = _client(viewer).post("/community/stories/999999/comments/", {"body": "Hi"})

    # then
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_the_story_page_renders_user_text_inert(story, viewer):
    # given
    comment_services.comment_create(
        user=viewer, story_id=story.pk, body="<script>alert(1)</script> see https://example.org"
    )

    # when
    body = Client().get(f"/community/stories/{story.pk}/").content.decode()

    # then
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'rel="nofollow ugc' in body


def test_show_more_opens_the_thread_of_a_story_comment(story, viewer):
    # given a chain four deep
    parent = None
    chain = []
    for n in range(4):
        parent = comment_services.comment_create(
            user=viewer,
            story_id=story.pk,
            body=f"level {n}",
            parent_id=parent.pk if parent else None,
        )
        chain.append(parent)

    # when
    page = Client().get(f"/community/stories/{story.pk}/").content.decode()
    thread = Client().get(f"/community/comments/{chain[2].pk}/")

    # then
    assert f'href="/community/comments/{chain[2].pk}/" data-testid="show-more"' in page
    assert thread.status_code == 200
    assert "level 3" in thread.content.decode()
    assert f'href="/community/stories/{story.pk}/"' in thread.content.decode()


def test_story_page_queries_do_not_grow_with_comments(story, viewer):
    # given
    comment_services.comment_create(user=viewer, story_id=story.pk, body="first")
    with CaptureQueriesContext(connection) as small:
        Client().get(f"/community/stories/{story.pk}/")
    authors = UserFactory.create_batch(4)
    for author in authors:
        top = comment_services.comment_create(user=author, story_id=story.pk, body="top")
        comment_services.comment_create(
            user=viewer, story_id=story.pk, body="reply", parent_id=top.pk
        )

    # when
    with CaptureQueriesContext(connection) as large:
        response = Client().get(f"/community/stories/{story.pk}/")

    # then
    assert response.content.decode().count('data-testid="comment"') == 9
    assert len(large) == len(small)


def test_api_lists_and_posts_story_comments(story, viewer):
    # given
    api = APIClient()
    api.force_authenticate(viewer)

    # when
    posted = api.post(
        f"/api/v1/community/stories/{story.pk}/comments/", {"body": "From the API"}, format="json"
    )
    listed = APIClient().get(f"/api/v1/community/stories/{story.pk}/comments/")
    too_long = api.post(
        f"/api/v1/community/stories/{story.pk}/comments/", {"body": "x" * 10_000}, format="json"
    )
    missing = APIClient().get("/api/v1/community/stories/999999/comments/")

    # then
    assert posted.status_code == 201
    assert [c["body"] for c in listed.json()["results"]] == ["From the API"]
    assert (too_long.status_code, too_long.json()["error"]["code"]) == (400, "too_long")
    assert missing.status_code == 404
    assert Comment.objects.count() == 1


def test_a_held_story_comment_shows_in_the_moderation_case_page(settings, story, viewer, editor):
    # given a story comment the term filter held
    settings.MODERATION_TERM_LISTS = {"abuse": ["scumbag"]}
    comment = comment_services.comment_create(
        user=viewer, story_id=story.pk, body="What a scumbag."
    )

    # when an editor opens the queue of held comments
    client = _client(editor)
    queue = client.get("/moderation/?kind=comment", follow=True)

    # then it is listed with the story's title
    assert queue.status_code == 200
    assert "Floods in the north" in queue.content.decode()
    assert comment.target_url == f"/community/stories/{story.pk}/#comment-{comment.pk}"
