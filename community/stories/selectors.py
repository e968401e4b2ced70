"""Reads of stories: the list, one story's timeline and its sources on air."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce

from community.models import (
    Assignment,
    Story,
    StoryFollow,
    StoryItem,
)
from fieldcast.accounts.models import User
from fieldcast.videos.models import VideoState
from ingest.models import LiveSource, SourceState


@dataclass
class StoryTimeline:
    story: Story
    items: list[StoryItem]
    followers: int
    following: bool
    # Live sources on air right now for one of the story's assignments (the page's banner).
    on_air: list[LiveSource] = field(default_factory=list)


def story_sources_on_air(*, story: Story) -> list[LiveSource]:
    """Sources on air whose assignment feeds this story: one query."""
    refs = Assignment.objects.filter(story=story).annotate(
        ref_text=Cast("pk", output_field=CharField())
    )
    return list(
        LiveSource.objects.filter(
            state=SourceState.ON_AIR, assignment_ref__in=refs.values("ref_text")
        )
        .select_related("reporter")
        .order_by("live_at", "id")
    )


def story_list() -> QuerySet[Story]:
    return Story.objects.annotate(item_count=Count("items")).order_by("-updated_at", "-id")


def story_timeline(*, story_id: int, user: User | AnonymousUser) -> StoryTimeline | None:
    """A story's entries in time order; videos that are no longer published drop out."""
    story = Story.objects.filter(pk=story_id).first()
    if story is None:
        return None
    items = list(
        StoryItem.objects.filter(story=story)
        .filter(Q(video__isnull=True) | Q(video__state=VideoState.PUBLISHED))
        .select_related("video", "video__owner")
        .order_by("happened_at", "id")
    )
    following = (
        user.is_authenticated and StoryFollow.objects.filter(story=story, user_id=user.pk).exists()
    )
    return StoryTimeline(
        story=story,
        items=items,
        followers=StoryFollow.objects.filter(story=story).count(),
        following=bool(following),
        on_air=story_sources_on_air(story=story),
    )


def story_item_count() -> Coalesce:
    """A story's number of entries, as a subquery: evaluated for the listed stories only,
    where an aggregate over a join would count the entries of every story first."""
    entries = (
        StoryItem.objects.filter(story_id=OuterRef("pk"))
        .order_by()
        .values("story_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(entries, output_field=IntegerField()), 0)
