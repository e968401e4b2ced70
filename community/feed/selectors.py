"""Reads for the home feed.

Every function here takes a fixed number of queries, whatever the number of items: lists are
sliced in the database and joined with `select_related`, counts are annotations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q

from community.models import Follow, Story, StoryFollow, StoryItem, StoryItemKind
from community.stories.selectors import story_item_count
from fieldcast.accounts.models import User
from fieldcast.videos.models import Video, VideoState
from fieldcast.videos.selectors import video_list_published
from ingest.models import LiveSource, Program, SourceState

HOME_NEWEST = 12
HOME_MOST_WATCHED = 8
HOME_STORIES = 6
HOME_ON_AIR = 6
HOME_FOLLOWING = 8


@dataclass
class HomeFeed:
    programs: list[Program]  # running channels, each with the source it airs (if any)
    on_air: list[LiveSource]  # sources on air that no listed program shows
    stories: list[Story]
    newest: list[Video]
    most_watched: list[Video]
    # For a logged-in person: new work of the reporters and stories they follow.
    following_videos: list[Video] = field(default_factory=list)
    following_stories: list[Story] = field(default_factory=list)
    follows_anything: bool = False


def sources_on_air(*, limit: int = HOME_ON_AIR) -> list[LiveSource]:
    """Live sources an editor has cut to a program right now (the switcher marks them on air)."""
    return list(
        LiveSource.objects.filter(state=SourceState.ON_AIR)
        .select_related("reporter")
        .order_by("-live_at", "-id")[:limit]
    )


def programs_running(*, limit: int = HOME_ON_AIR) -> list[Program]:
    """Channels whose program is running, with the source on air and its reporter joined."""
    return list(
        Program.objects.filter(running=True)
        .select_related("program_source__reporter")
        .order_by("slug")[:limit]
    )


def stories_recent(*, limit: int = HOME_STORIES) -> list[Story]:
    """The most recently updated stories, each with `item_count` (one query)."""
    return list(
        Story.objects.order_by("-updated_at", "-id").annotate(item_count=story_item_count())[:limit]
    )


def videos_most_watched(*, limit: int = HOME_MOST_WATCHED) -> list[Video]:
    return list(
        Video.objects.select_related("owner")
        .filter(state=VideoState.PUBLISHED)
        .order_by("-view_count", "-published_at", "-id")[:limit]
    )


def videos_followed(*, user: User, limit: int = HOME_FOLLOWING) -> list[Video]:
    """Published videos of the reporters this person follows or in the stories they follow."""
    by_reporter = Follow.objects.filter(follower_id=user.pk, reporter_id=OuterRef("owner_id"))
    in_story = StoryItem.objects.filter(
        video_id=OuterRef("pk"),
        kind=StoryItemKind.VIDEO,
        story__follows__user_id=user.pk,
    )
    return list(
        video_list_published()
        .filter(Q(Exists(by_reporter)) | Q(Exists(in_story)))
        .exclude(owner_id=user.pk)[:limit]
    )


def stories_followed(*, user: User, limit: int = HOME_STORIES) -> list[Story]:
    followed = StoryFollow.objects.filter(user_id=user.pk, story_id=OuterRef("pk"))
    return list(
        Story.objects.filter(Exists(followed))
        .annotate(item_count=story_item_count())
        .order_by("-updated_at", "-id")[:limit]
    )


def follows_anything(*, user: User) -> bool:
    return (
        Follow.objects.filter(follower_id=user.pk).exists()
        or StoryFollow.objects.filter(user_id=user.pk).exists()
    )


def home_feed(*, user: User | AnonymousUser) -> HomeFeed:
    """What the home page shows this person; what they follow first when they are logged in."""
    programs = programs_running()
    shown = {program.program_source_id for program in programs}
    feed = HomeFeed(
        programs=programs,
        on_air=[source for source in sources_on_air() if source.pk not in shown],
        stories=stories_recent(),
        newest=list(video_list_published()[:HOME_NEWEST]),
        most_watched=videos_most_watched(),
    )
    if isinstance(user, User) and user.is_authenticated:
        feed.following_videos = videos_followed(user=user)
        feed.following_stories = stories_followed(user=user)
        feed.follows_anything = bool(feed.following_videos or feed.following_stories) or (
            follows_anything(user=user)
        )
    return feed
