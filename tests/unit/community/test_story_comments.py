"""Comments on stories follow the rules of comments on videos: threads, term filter, limits,
rate limit, mentions, likes, edits and removal."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from community.comments import selectors
from community.comments import services as comment_services
from community.likes import services as like_services
from community.models import Comment, Notification
from community.stories import services as story_services
from fieldcast.core.errors import NotFound, RateLimited, ValidationFailed
from fieldcast.points.models import PointEvent
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(editor):
    return story_services.story_create(user=editor, title="Floods in the north")


def test_a_viewer_comments_on_a_story_and_replies_to_a_reply(story, viewer):
    # given
    other = UserFactory()

    # when
    top = comment_services.comment_create(user=viewer, story_id=story.pk, body="Roads are cut off.")
    reply = comment_services.comment_create(
        user=other, story_id=story.pk, body="Which roads?", parent_id=top.pk
    )
    deeper = comment_services.comment_create(
        user=viewer, story_id=story.pk, body="The A3 north of town.", parent_id=reply.pk
    )

    # then the thread hangs together and the block shows two reply levels
    assert (top.story_id, top.video_id, deeper.depth, deeper.root_id) == (story.pk, None, 2, top.pk)
    block = selectors.comment_block(story=story, user=viewer)
    assert [n.comment.pk for n in block.nodes] == [top.pk]
    assert [c.comment.pk for c in block.nodes[0].children] == [reply.pk]
    assert [c.comment.pk for c in block.nodes[0].children[0].children] == [deeper.pk]
    assert PointEvent.objects.filter(rule="comment", user=viewer).count() == 2


def test_a_third_level_reply_is_behind_show_more(story, viewer):
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
    block = selectors.comment_block(story=story, user=viewer)

    # then level 2 says one more reply is hidden; its thread view shows it
    second_level = block.nodes[0].children[0].children[0]
    assert (second_level.comment.pk, second_level.more_replies) == (chain[2].pk, 1)
    thread = selectors.comment_block(story=story, user=viewer, focus_id=chain[2].pk)
    assert [c.comment.pk for c in thread.nodes[0].children] == [chain[3].pk]


def test_a_comment_on_a_missing_story_is_not_found(viewer):
    with pytest.raises(NotFound):
        comment_services.comment_create(user=viewer, story_id=999_999, body="Hello")
    assert not Comment.objects.exists()


def test_a_comment_needs_exactly_one_target(viewer, story):
    # given
    video = VideoFactory(state="published")

    # when / then
    with pytest.raises(ValidationFailed):
        comment_services.comment_create(
            user=viewer, body="Both", video_id=video.pk, story_id=story.pk
        )
    with pytest.raises(ValidationFailed):
        comment_services.comment_create(user=viewer, body="Neither")
    assert not Comment.objects.exists()


def test_the_database_refuses_a_comment_on_both_or_neither(viewer, story):
    # given
    video = VideoFactory(state="published")

    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(author=viewer, body="x", video=video, story=story)
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(author=viewer, body="x")


def test_a_reply_to_a_comment_of_another_story_is_refused(editor, viewer, story):
    # given
    elsewhere = story_services.story_create(user=editor, title="Elsewhere")
    foreign = comment_services.comment_create(
        user=viewer, story_id=elsewhere.pk, body="Over there."
    )

    # when
    with pytest.raises(NotFound):
        comment_services.comment_create(
            user=viewer, story_id=story.pk, body="Crossing over", parent_id=foreign.pk
        )

    # then
    assert Comment.objects.filter(story=story).count() == 0


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_empty_or_too_long_story_comments_are_refused(story, viewer, body):
    with pytest.raises(ValidationFailed):
        comment_services.comment_create(user=viewer, story_id=story.pk, body=body)
    assert not Comment.objects.exists()


def test_the_term_filter_holds_a_story_comment(settings, story, viewer):
    # given
    settings.MODERATION_TERM_LISTS = {"abuse": ["scumbag"]}

    # when
    comment = comment_services.comment_create(
        user=viewer, story_id=story.pk, body="What a scumbag."
    )

    # then it waits for an editor, visible only to its author and editors
    assert comment.state == "held"
    assert selectors.comment_block(story=story, user=UserFactory()).nodes == []
    assert [n.comment.pk for n in selectors.comment_block(story=story, user=viewer).nodes] == [
        comment.pk
    ]


def test_story_comments_share_the_rate_limit(monkeypatch, story, viewer):
    # given a limit of two comments a minute, reached
    monkeypatch.setattr(comment_services, "COMMENT_RATE_COUNT", 2)
    comment_services.comment_create(user=viewer, story_id=story.pk, body="one")
    comment_services.comment_create(user=viewer, story_id=story.pk, body="two")

    # when / then
    with pytest.raises(RateLimited):
        comment_services.comment_create(user=viewer, story_id=story.pk, body="three")
    assert Comment.objects.count() == 2


def test_a_mention_in_a_story_comment_notifies_with_a_link_to_the_story(story, viewer):
    # given
    mentioned = UserFactory(display_name="Ngozi")

    # when
    comment = comment_services.comment_create(
        user=viewer, story_id=story.pk, body="@Ngozi were you there?"
    )

    # then
    told = Notification.objects.get(recipient=mentioned)
    assert (told.kind, told.story_id, told.comment_id) == ("mention", story.pk, comment.pk)


def test_likes_and_removal_work_on_story_comments(story, viewer, editor):
    # given
    comment = comment_services.comment_create(user=viewer, story_id=story.pk, body="Stay safe.")
    liker = UserFactory()

    # when
    like_services.comment_like(user=liker, comment_id=comment.pk)
    comment_services.comment_remove(user=editor, comment_id=comment.pk, reason="test")

    # then
    comment.refresh_from_db()
    assert (comment.like_count, comment.state) == (1, "removed")
