"""The one place that decides who is told what, and the live unread count it pushes."""

from __future__ import annotations

import pytest
from django.utils import timezone

from community.comments import services as comment_services
from community.models import Notification
from community.notifications import notify
from community.notifications import services as notification_services
from community.reporters import services as reporter_services
from fieldcast.core import events
from fieldcast.videos import services as video_services
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def test_followers_hear_when_a_reporter_publishes(reporter, viewer):
    # given
    reporter_services.follow_create(user=viewer, reporter_id=reporter.pk)
    video = VideoFactory(owner=reporter, state="published", published_at=timezone.now())

    # when
    sent = notify.notify_video_published(video=video)

    # then
    assert [(n.recipient_id, n.kind, n.video_id) for n in sent] == [
        (viewer.pk, "followed_published", video.pk)
    ]


def test_the_bell_count_is_pushed_after_commit(
    reporter, viewer, django_capture_on_commit_callbacks, monkeypatch
):
    # given
    video = VideoFactory(owner=reporter, state="published", published_at=timezone.now())
    published: list[tuple[str, dict]] = []
    monkeypatch.setattr(events, "publish", lambda *, group, event: published.append((group, event)))

    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment_services.comment_create(user=viewer, video_id=video.pk, body="hello")
    assert published == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    # then
    assert published == [(f"user.{reporter.pk}", {"type": "notification.unread", "unread": 1})]


def test_nobody_is_told_about_their_own_deed(reporter):
    # given
    video = VideoFactory(owner=reporter, state="published", published_at=timezone.now())

    # when the owner comments on their own video and mentions themselves
    comment_services.comment_create(
        user=reporter, video_id=video.pk, body=f"@{reporter.display_name} here"
    )

    # then
    assert Notification.objects.count() == 0


def test_mention_candidates_cover_one_to_three_words():
    assert notify.mention_candidates("hi @Ada Obi Eze Jr and a@b.c") == {
        "ada",
        "ada obi",
        "ada obi eze",
    }


def test_mark_read_clears_the_count(reporter, viewer):
    # given
    video = VideoFactory(owner=reporter, state="published", published_at=timezone.now())
    comment_services.comment_create(user=viewer, video_id=video.pk, body="one")
    comment_services.comment_create(user=UserFactory(), video_id=video.pk, body="two")

    # when
    changed = notification_services.notifications_mark_read(user=reporter)

    # then
    assert changed == 2
    assert notify.unread_count(user_id=reporter.pk) == 0


def test_video_publish_tells_the_reporters_followers(reporter, viewer, editor):
    # given
    reporter_services.follow_create(user=viewer, reporter_id=reporter.pk)
    video = VideoFactory(owner=reporter, state="pending_review")

    # when
    video_services.video_publish(video=video, editor=editor)

    # then
    assert list(Notification.objects.values_list("recipient_id", "kind", "video_id")) == [
        (viewer.pk, "followed_published", video.pk)
    ]
