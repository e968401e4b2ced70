"""video_publish and video_for_viewer: only published videos are public."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from community.models import Follow, Notification
from fieldcast.core.errors import NotFound, PermissionDenied
from fieldcast.points.models import PointEvent
from fieldcast.videos import selectors, services
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


def test_editor_publishes_a_video_waiting_for_review(editor):
    # given
    video = VideoFactory(state="pending_review")
    # when
    services.video_publish(video=video, editor=editor, verification="Called the source.")
    # then
    video.refresh_from_db()
    assert video.state == "published"
    assert video.published_at is not None
    assert (video.reviewed_by, video.verification_note) == (editor, "Called the source.")


def test_reporter_cannot_publish(reporter):
    # given
    video = VideoFactory(state="pending_review")
    # when / then
    with pytest.raises(PermissionDenied):
        services.video_publish(video=video, editor=reporter)
    video.refresh_from_db()
    assert (video.state, video.published_at) == ("pending_review", None)


def test_publish_refuses_a_video_still_processing(editor):
    # given
    video = VideoFactory(state="processing")
    # when / then
    with pytest.raises(services.InvalidVideoTransition):
        services.video_publish(video=video, editor=editor)
    video.refresh_from_db()
    assert video.state == "processing"


@pytest.mark.parametrize("state", ["uploading", "processing", "pending_review", "failed", "hidden"])
def test_unpublished_video_is_not_found_for_anonymous_and_other_reporters(state, reporter):
    # given
    video = VideoFactory(state=state)
    # when / then
    for user in (AnonymousUser(), reporter, UserFactory()):
        with pytest.raises(NotFound) as missing:
            selectors.video_for_viewer(video_id=video.pk, user=user)
        with pytest.raises(NotFound) as hidden:
            selectors.video_for_viewer(video_id=video.pk + 1000, user=user)
        assert missing.value.message == hidden.value.message


def test_owner_and_editors_see_an_unpublished_video(editor):
    # given
    video = VideoFactory(state="pending_review")
    # when / then
    assert selectors.video_for_viewer(video_id=video.pk, user=video.owner) == video
    assert selectors.video_for_viewer(video_id=video.pk, user=editor) == video


def test_published_video_is_visible_to_anyone():
    # given
    video = VideoFactory(state="published")
    # when / then
    assert selectors.video_for_viewer(video_id=video.pk, user=AnonymousUser()) == video


def test_publishing_pays_the_reporter_once_and_tells_their_followers(editor):
    # given a clip in review and a viewer who follows its reporter
    video = VideoFactory(state="pending_review")
    follower = UserFactory()
    Follow.objects.create(follower=follower, reporter=video.owner)
    # when an editor publishes it
    services.video_publish(video=video, editor=editor)
    # then the reporter earns the "video published" points, once per video
    events = PointEvent.objects.filter(user=video.owner)
    assert [(e.rule, e.points, e.key) for e in events] == [
        ("video_published", 10, f"video_published:{video.pk}")
    ]
    # and the follower is told, nobody else
    notes = Notification.objects.filter(video=video)
    assert [(n.recipient_id, n.kind) for n in notes] == [(follower.pk, "followed_published")]
