"""Stories: editors build a timeline of published videos and updates; followers are told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.models import Notification, Story, StoryFollow, StoryItem
from community.stories import selectors, services
from fieldcast.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.factories import VideoFactory

pytestmark = pytest.mark.django_db


def test_timeline_is_in_time_order_and_drops_unpublished_videos(editor, reporter, viewer):
    # given
    now = timezone.now()
    story = services.story_create(user=editor, title="River flood", summary="Day by day")
    early = VideoFactory(
        owner=reporter, state="published", published_at=now - timedelta(hours=3), title="early"
    )
    later = VideoFactory(
        owner=reporter, state="published", published_at=now - timedelta(hours=1), title="later"
    )
    services.story_add_video(user=editor, story_id=story.pk, video_id=later.pk)
    services.story_add_update(
        user=editor, story_id=story.pk, text="Water rising", happened_at=now - timedelta(hours=2)
    )
    services.story_add_video(user=editor, story_id=story.pk, video_id=early.pk)

    # when
    timeline = selectors.story_timeline(story_id=story.pk, user=viewer)

    # then
    assert timeline is not None
    assert [(i.kind, i.video_id, i.text) for i in timeline.items] == [
        ("video", early.pk, ""),
        ("update", None, "Water rising"),
        ("video", later.pk, ""),
    ]

    # when one video is hidden later
    type(later).objects.filter(pk=later.pk).update(state="hidden")

    # then it leaves the timeline
    timeline = selectors.story_timeline(story_id=story.pk, user=viewer)
    assert timeline is not None
    assert [i.video_id for i in timeline.items if i.kind == "video"] == [early.pk]


def test_unpublished_video_cannot_join(editor, reporter):
    # given
    story = services.story_create(user=editor, title="S")
    draft = VideoFactory(owner=reporter, state="pending_review")

    # when / then
    with pytest.raises(NotFound):
        services.story_add_video(user=editor, story_id=story.pk, video_id=draft.pk)
    assert StoryItem.objects.count() == 0


def test_same_video_twice_is_refused(editor, reporter):
    # given
    story = services.story_create(user=editor, title="S")
    video = VideoFactory(owner=reporter, state="published", published_at=timezone.now())
    services.story_add_video(user=editor, story_id=story.pk, video_id=video.pk)

    # when / then
    with pytest.raises(Conflict):
        services.story_add_video(user=editor, story_id=story.pk, video_id=video.pk)
    assert StoryItem.objects.count() == 1


def test_only_editors_write_stories(editor, reporter):
    # given
    story = services.story_create(user=editor, title="S")

    # when / then
    with pytest.raises(PermissionDenied):
        services.story_create(user=reporter, title="Mine")
    with pytest.raises(PermissionDenied):
        services.story_add_update(user=reporter, story_id=story.pk, text="hi")
    assert Story.objects.count() == 1
    assert StoryItem.objects.count() == 0


def test_empty_title_is_refused(editor):
    with pytest.raises(ValidationFailed):
        services.story_create(user=editor, title="  ")
    assert Story.objects.count() == 0


def test_followers_are_told_about_new_entries(editor, viewer):
    # given
    story = services.story_create(user=editor, title="S")
    services.story_follow(user=viewer, story_id=story.pk)
    with pytest.raises(Conflict):
        services.story_follow(user=viewer, story_id=story.pk)

    # when
    services.story_add_update(user=editor, story_id=story.pk, text="Update one")

    # then
    assert list(Notification.objects.values_list("recipient_id", "kind", "story_id")) == [
        (viewer.pk, "story_updated", story.pk)
    ]

    # when they unfollow
    services.story_unfollow(user=viewer, story_id=story.pk)
    services.story_add_update(user=editor, story_id=story.pk, text="Update two")

    # then nothing new
    assert Notification.objects.count() == 1
    assert StoryFollow.objects.count() == 0
