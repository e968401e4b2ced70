"""Likes (once, undo, points to the owner once), follows (not yourself) and view counting."""

from __future__ import annotations

import pytest
from django.utils import timezone

from community.audience import services as audience_services
from community.comments import services as comment_services
from community.likes import services as like_services
from community.models import CommentLike, Follow, Notification, VideoLike, ViewMark
from community.reporters import services as reporter_services
from fieldcast.core.errors import Conflict, NotFound, ValidationFailed
from fieldcast.points.models import PointEvent
from fieldcast.videos.models import Video
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(reporter):
    return VideoFactory(owner=reporter, state="published", published_at=timezone.now())


def test_like_a_video_pays_the_owner_once_and_tells_them(video, viewer):
    # when
    like_services.video_like(user=viewer, video_id=video.pk)

    # then
    assert VideoLike.objects.filter(user=viewer, video=video).count() == 1
    event = PointEvent.objects.get()
    assert (event.user_id, event.rule, event.key) == (
        video.owner_id,
        "like_received",
        f"like:video:{video.pk}:{viewer.pk}",
    )
    assert list(Notification.objects.values_list("recipient_id", "kind")) == [
        (video.owner_id, "video_liked")
    ]


def test_like_twice_is_refused_and_nothing_changes(video, viewer):
    # given
    like_services.video_like(user=viewer, video_id=video.pk)

    # when / then
    with pytest.raises(Conflict) as refused:
        like_services.video_like(user=viewer, video_id=video.pk)
    assert refused.value.message == "You already like this video."
    assert VideoLike.objects.count() == 1
    assert PointEvent.objects.count() == 1
    assert Notification.objects.count() == 1


def test_unlike_then_like_again_does_not_pay_twice(video, viewer):
    # given
    like_services.video_like(user=viewer, video_id=video.pk)
    like_services.video_unlike(user=viewer, video_id=video.pk)

    # when
    like_services.video_like(user=viewer, video_id=video.pk)

    # then
    assert VideoLike.objects.count() == 1
    assert PointEvent.objects.count() == 1


def test_unlike_without_a_like_is_refused(video, viewer):
    with pytest.raises(NotFound):
        like_services.video_unlike(user=viewer, video_id=video.pk)


def test_like_an_unpublished_video_is_refused(reporter, viewer):
    # given
    video = VideoFactory(owner=reporter, state="pending_review")

    # when / then
    with pytest.raises(NotFound):
        like_services.video_like(user=viewer, video_id=video.pk)
    assert VideoLike.objects.count() == 0


def test_comment_like_once_counter_and_undo(video, viewer):
    # given
    comment = comment_services.comment_create(
        user=video.owner, video_id=video.pk, body="thanks all"
    )

    # when
    like_services.comment_like(user=viewer, comment_id=comment.pk)
    with pytest.raises(Conflict):
        like_services.comment_like(user=viewer, comment_id=comment.pk)

    # then
    comment.refresh_from_db()
    assert comment.like_count == 1
    assert CommentLike.objects.count() == 1
    assert PointEvent.objects.filter(rule="like_received").count() == 1

    # when
    like_services.comment_unlike(user=viewer, comment_id=comment.pk)

    # then
    comment.refresh_from_db()
    assert comment.like_count == 0
    assert CommentLike.objects.count() == 0


def test_follow_yourself_is_refused(reporter):
    # when
    with pytest.raises(ValidationFailed) as refused:
        reporter_services.follow_create(user=reporter, reporter_id=reporter.pk)

    # then
    assert refused.value.message == "You cannot follow yourself."
    assert refused.value.code == "self_follow"
    assert Follow.objects.count() == 0


def test_follow_a_reporter_once(reporter, viewer):
    # when
    reporter_services.follow_create(user=viewer, reporter_id=reporter.pk)
    with pytest.raises(Conflict):
        reporter_services.follow_create(user=viewer, reporter_id=reporter.pk)

    # then
    assert list(Follow.objects.values_list("follower_id", "reporter_id")) == [
        (viewer.pk, reporter.pk)
    ]


def test_follow_a_plain_viewer_is_refused(viewer):
    # given
    other = UserFactory()

    # when / then
    with pytest.raises(NotFound):
        reporter_services.follow_create(user=viewer, reporter_id=other.pk)
    assert Follow.objects.count() == 0


def test_a_view_counts_once_per_viewer_per_window(video):
    # when
    first = audience_services.view_record(video=video, viewer="u1", now=1_000_000.0)
    again = audience_services.view_record(video=video, viewer="u1", now=1_000_010.0)
    other = audience_services.view_record(video=video, viewer="u2", now=1_000_010.0)
    next_window = audience_services.view_record(video=video, viewer="u1", now=1_000_000.0 + 1800)

    # then
    assert [first, again, other, next_window] == [True, False, True, True]
    assert Video.objects.get(pk=video.pk).view_count == 3
    assert ViewMark.objects.count() == 3


def test_views_of_unpublished_videos_are_not_counted(reporter):
    # given
    video = VideoFactory(owner=reporter, state="pending_review")

    # when
    counted = audience_services.view_record(video=video, viewer="u1")

    # then
    assert counted is False
    assert Video.objects.get(pk=video.pk).view_count == 0
