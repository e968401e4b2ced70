"""Comment services: posting, threads, limits, term filter, edit window, delete and remove."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.comments import services as comment_services
from community.models import (
    Comment,
    CommentAction,
    CommentMode,
    CommentSettings,
    CommentState,
    Notification,
)
from community.notifications import services as notification_services
from fieldcast.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from fieldcast.points.models import PointEvent
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(reporter):
    return VideoFactory(owner=reporter, state="published", published_at=timezone.now())


def test_comment_on_published_video_is_visible_pays_points_and_tells_the_owner(video, viewer):
    # when
    comment = comment_services.comment_create(
        user=viewer, video_id=video.pk, body="  Great footage  "
    )

    # then
    comment.refresh_from_db()
    assert comment.state == CommentState.VISIBLE
    assert comment.body == "Great footage"
    assert comment.depth == 0
    assert comment.root_id == comment.pk
    assert comment.path == f"{comment.pk:010d}/"
    event = PointEvent.objects.get(key=f"comment:{comment.pk}")
    assert (event.user_id, event.rule, event.points) == (viewer.pk, "comment", 1)
    assert list(Notification.objects.values_list("recipient_id", "kind", "comment_id")) == [
        (video.owner_id, "video_commented", comment.pk)
    ]


def test_reply_to_a_reply_builds_the_thread(video, viewer, editor):
    # given
    top = comment_services.comment_create(user=viewer, video_id=video.pk, body="first")
    reply = comment_services.comment_create(
        user=editor, video_id=video.pk, body="second", parent_id=top.pk
    )

    # when
    deeper = comment_services.comment_create(
        user=viewer, video_id=video.pk, body="third", parent_id=reply.pk
    )

    # then
    assert (deeper.parent_id, deeper.root_id, deeper.depth) == (reply.pk, top.pk, 2)
    assert deeper.path == f"{top.pk:010d}/{reply.pk:010d}/{deeper.pk:010d}/"


@pytest.mark.parametrize("state", ["pending_review", "rejected", "hidden", "removed", "processing"])
def test_comment_on_a_video_that_is_not_published_is_refused(state, viewer, reporter):
    # given
    video = VideoFactory(owner=reporter, state=state)

    # when / then
    with pytest.raises(NotFound) as refused:
        comment_services.comment_create(user=viewer, video_id=video.pk, body="hello")
    assert refused.value.message == "We could not find that video."
    assert Comment.objects.count() == 0


def test_owner_cannot_comment_on_own_unpublished_video_either(reporter):
    # given
    video = VideoFactory(owner=reporter, state="pending_review")

    # when / then
    with pytest.raises(NotFound):
        comment_services.comment_create(user=reporter, video_id=video.pk, body="hello")
    assert Comment.objects.count() == 0


def test_anonymous_cannot_comment(video):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAuthenticated):
        comment_services.comment_create(user=AnonymousUser(), video_id=video.pk, body="hi")
    assert Comment.objects.count() == 0


def test_ten_thousand_characters_are_refused_with_the_limit_in_the_message(video, viewer):
    # when
    with pytest.raises(ValidationFailed) as refused:
        comment_services.comment_create(user=viewer, video_id=video.pk, body="a" * 10_000)

    # then
    assert refused.value.code == "too_long"
    assert refused.value.message == (
        "A comment can be at most 5000 characters; this one has 10000."
    )
    assert refused.value.fields == {"body": [refused.value.message]}
    assert Comment.objects.count() == 0
    assert PointEvent.objects.count() == 0


def test_empty_comment_is_refused(video, viewer):
    with pytest.raises(ValidationFailed) as refused:
        comment_services.comment_create(user=viewer, video_id=video.pk, body="   \n ")
    assert refused.value.code == "empty"
    assert Comment.objects.count() == 0


def test_sixth_comment_within_a_minute_is_rate_limited(video, viewer):
    # given
    for number in range(5):
        comment_services.comment_create(user=viewer, video_id=video.pk, body=f"comment {number}")

    # when
    with pytest.raises(RateLimited) as refused:
        comment_services.comment_create(user=viewer, video_id=video.pk, body="one too many")

    # then
    assert (
        refused.value.message == "You are commenting too fast. Please wait a minute and try again."
    )
    assert Comment.objects.filter(author=viewer).count() == 5


def test_rate_window_passes(video, viewer):
    # given five comments posted two minutes ago
    for number in range(5):
        comment_services.comment_create(user=viewer, video_id=video.pk, body=f"comment {number}")
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=2))

    # when
    comment_services.comment_create(user=viewer, video_id=video.pk, body="later")

    # then
    assert Comment.objects.filter(author=viewer).count() == 6


def test_term_filter_holds_the_comment_without_points_or_notification(
    video, viewer, editor, settings
):
    # given
    settings.MODERATION_TERM_LISTS = {"default": ["scam"]}

    # when
    comment = comment_services.comment_create(
        user=viewer, video_id=video.pk, body="This is a SCAM!"
    )

    # then
    assert comment.state == CommentState.HELD
    assert comment.held_terms == [{"field": "body", "term": "scam", "list": "default"}]
    assert PointEvent.objects.count() == 0
    assert Notification.objects.count() == 0

    # when an editor approves it
    comment_services.comment_approve(user=editor, comment_id=comment.pk)

    # then it shows, pays and notifies
    comment.refresh_from_db()
    assert comment.state == CommentState.VISIBLE
    assert PointEvent.objects.filter(key=f"comment:{comment.pk}").count() == 1
    assert Notification.objects.filter(recipient=video.owner).count() == 1
    assert list(CommentAction.objects.values_list("action", "actor_id")) == [("approve", editor.pk)]


def test_approval_mode_holds_viewers_but_not_the_owner_or_editors(video, viewer, editor):
    # given
    CommentSettings.objects.create(video=video, mode=CommentMode.APPROVAL)

    # when
    by_viewer = comment_services.comment_create(user=viewer, video_id=video.pk, body="viewer")
    by_owner = comment_services.comment_create(user=video.owner, video_id=video.pk, body="owner")
    by_editor = comment_services.comment_create(user=editor, video_id=video.pk, body="editor")

    # then
    assert [by_viewer.state, by_owner.state, by_editor.state] == ["held", "visible", "visible"]


def test_closed_comments_refuse_new_ones(video, viewer):
    # given
    comment_services.comment_settings_set(user=video.owner, video_id=video.pk, mode="closed")

    # when / then
    with pytest.raises(PermissionDenied) as refused:
        comment_services.comment_create(user=viewer, video_id=video.pk, body="hello")
    assert refused.value.code == "comments_closed"
    assert Comment.objects.count() == 0


def test_only_owner_or_editor_changes_settings(video, viewer):
    with pytest.raises(PermissionDenied):
        comment_services.comment_settings_set(user=viewer, video_id=video.pk, mode="closed")
    assert CommentSettings.objects.count() == 0


def test_author_edits_within_the_window_and_the_old_text_is_kept(video, viewer):
    # given
    comment = comment_services.comment_create(user=viewer, video_id=video.pk, body="tpyo")

    # when
    comment_services.comment_edit(user=viewer, comment_id=comment.pk, body="typo")

    # then
    comment.refresh_from_db()
    assert comment.body == "typo"
    assert comment.edited_at is not None
    assert list(CommentAction.objects.values_list("action", "body_before")) == [("edit", "tpyo")]


def test_edit_after_the_window_is_refused(video, viewer):
    # given
    comment = comment_services.comment_create(user=viewer, video_id=video.pk, body="old")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))

    # when / then
    with pytest.raises(Conflict) as refused:
        comment_services.comment_edit(user=viewer, comment_id=comment.pk, body="new")
    assert refused.value.code == "edit_window_closed"
    comment.refresh_from_db()
    assert comment.body == "old"


def test_someone_else_cannot_edit_or_delete(video, viewer):
    # given
    comment = comment_services.comment_create(user=viewer, video_id=video.pk, body="mine")
    other = UserFactory()

    # when / then
    with pytest.raises(PermissionDenied):
        comment_services.comment_edit(user=other, comment_id=comment.pk, body="theirs")
    with pytest.raises(PermissionDenied):
        comment_services.comment_delete(user=other, comment_id=comment.pk)
    comment.refresh_from_db()
    assert (comment.body, comment.state) == ("mine", "visible")


def test_author_deletes_their_comment(video, viewer):
    # given
    comment = comment_services.comment_create(user=viewer, video_id=video.pk, body="oops")

    # when
    comment_services.comment_delete(user=viewer, comment_id=comment.pk)

    # then
    comment.refresh_from_db()
    assert (comment.state, comment.body) == ("deleted", "")
    assert list(CommentAction.objects.values_list("action", "body_before")) == [("delete", "oops")]


def test_editor_removes_a_comment_and_the_log_keeps_who_why_and_what(video, viewer, editor):
    # given
    comment = comment_services.comment_create(user=viewer, video_id=video.pk, body="abuse")

    # when
    comment_services.comment_remove(user=editor, comment_id=comment.pk, reason="insult")

    # then
    comment.refresh_from_db()
    assert comment.state == CommentState.REMOVED
    action = CommentAction.objects.get()
    assert (action.action, action.actor_id, action.reason, action.body_before) == (
        "remove",
        editor.pk,
        "insult",
        "abuse",
    )
    with pytest.raises(TypeError):
        CommentAction.objects.all().delete()


def test_viewer_cannot_remove(video, viewer):
    # given
    comment = comment_services.comment_create(user=viewer, video_id=video.pk, body="stay")

    # when / then
    with pytest.raises(PermissionDenied):
        comment_services.comment_remove(user=UserFactory(), comment_id=comment.pk)
    comment.refresh_from_db()
    assert comment.state == CommentState.VISIBLE
    assert CommentAction.objects.count() == 0


def test_reply_to_a_removed_comment_is_refused(video, viewer, editor):
    # given
    comment = comment_services.comment_create(user=viewer, video_id=video.pk, body="gone soon")
    comment_services.comment_remove(user=editor, comment_id=comment.pk)

    # when / then
    with pytest.raises(NotFound):
        comment_services.comment_create(
            user=viewer, video_id=video.pk, body="re", parent_id=comment.pk
        )
    assert Comment.objects.count() == 1


def test_mention_notifies_the_named_person(video, viewer):
    # given
    named = UserFactory(display_name="Ada Obi")

    # when
    comment = comment_services.comment_create(
        user=viewer, video_id=video.pk, body="Thanks @Ada Obi, see you there"
    )

    # then
    assert list(
        Notification.objects.filter(kind="mention").values_list("recipient_id", "comment_id")
    ) == [(named.pk, comment.pk)]


def test_muted_kind_is_not_stored(video, viewer):
    # given
    notification_services.notification_preferences_set(
        user=video.owner, enabled={"video_commented": False}
    )

    # when
    comment_services.comment_create(user=viewer, video_id=video.pk, body="hello")

    # then
    assert Notification.objects.count() == 0
