"""Writes on stories: editors open them and fill their timeline; anyone signed in follows them."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.comments.services import COMMENT_MAX_LENGTH
from community.common import clean_text
from community.models import (
    Story,
    StoryFollow,
    StoryItem,
    StoryItemKind,
)
from community.notifications import notify
from fieldcast.accounts.guards import require_permission, require_user
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import (
    Conflict,
    NotFound,
)
from fieldcast.videos.models import Video, VideoState


@transaction.atomic
def story_create(*, user: User | AnonymousUser, title: str, summary: str = "") -> Story:
    """An editor opens a story (a timeline for one event)."""
    editor = require_permission(
        user, "moderate_content", message=_("Only editors can create stories.")
    )
    return Story.objects.create(
        title=clean_text(title, field="title", limit=200),
        summary=clean_text(summary, field="summary", limit=5000, required=False),
        created_by=editor,
    )


def _story(story_id: int) -> Story:
    story = Story.objects.select_for_update().filter(pk=story_id).first()
    if story is None:
        raise NotFound(_("We could not find that story."))
    return story


def story_add_video(*, user: User | AnonymousUser, story_id: int, video_id: int) -> StoryItem:
    """An editor places a published video on the timeline, at the time it was published."""
    editor = require_permission(
        user, "moderate_content", message=_("Only editors can change stories.")
    )
    try:
        with transaction.atomic():
            story = _story(story_id)
            video = Video.objects.filter(pk=video_id, state=VideoState.PUBLISHED).first()
            if video is None:
                message = _("Only published videos can join a story.")
                raise NotFound(message, fields={"video": [message]})
            item = StoryItem.objects.create(
                story=story,
                kind=StoryItemKind.VIDEO,
                video=video,
                happened_at=video.published_at or timezone.now(),
                added_by=editor,
            )
            story.save(update_fields=["updated_at"])
            notify.notify_story_updated(story=story, editor=editor, video=video)
    except IntegrityError as exc:
        raise Conflict(
            _("This video is already in the story."), code=ErrorCode.ALREADY_IN_STORY
        ) from exc
    return item


@transaction.atomic
def story_add_update(
    *, user: User | AnonymousUser, story_id: int, text: str, happened_at: datetime | None = None
) -> StoryItem:
    """An editor writes a text update on the timeline (now, or at a given time)."""
    editor = require_permission(
        user, "moderate_content", message=_("Only editors can change stories.")
    )
    body = clean_text(text, field="text", limit=COMMENT_MAX_LENGTH)
    story = _story(story_id)
    item = StoryItem.objects.create(
        story=story,
        kind=StoryItemKind.UPDATE,
        text=body,
        happened_at=happened_at or timezone.now(),
        added_by=editor,
    )
    story.save(update_fields=["updated_at"])
    notify.notify_story_updated(story=story, editor=editor, video=None)
    return item


def story_follow(*, user: User | AnonymousUser, story_id: int) -> StoryFollow:
    person = require_user(user)
    if not Story.objects.filter(pk=story_id).exists():
        raise NotFound(_("We could not find that story."))
    try:
        with transaction.atomic():
            return StoryFollow.objects.create(user=person, story_id=story_id)
    except IntegrityError as exc:
        raise Conflict(
            _("You already follow this story."), code=ErrorCode.ALREADY_FOLLOWING
        ) from exc


@transaction.atomic
def story_unfollow(*, user: User | AnonymousUser, story_id: int) -> None:
    person = require_user(user)
    deleted, _rows = StoryFollow.objects.filter(user=person, story_id=story_id).delete()
    if not deleted:
        raise NotFound(_("You do not follow this story."), code=ErrorCode.NOT_FOLLOWING)


def story_place_video(*, story_id: int, video: Video, editor: User) -> StoryItem | None:
    """Put a used contribution on the story's timeline (once) and tell the story's followers."""
    story = _story(story_id)
    if StoryItem.objects.filter(story=story, video=video).exists():
        return None
    item = StoryItem.objects.create(
        story=story,
        kind=StoryItemKind.VIDEO,
        video=video,
        happened_at=video.published_at or timezone.now(),
        added_by=editor,
    )
    story.save(update_fields=["updated_at"])
    notify.notify_story_updated(story=story, editor=editor, video=video)
    return item
