"""Reads for the home feed and reporters' profile pages.

Kept apart from `community/selectors.py` (shared with other work on comments, stories and
assignments). Every function here takes a fixed number of queries, whatever the number of items:
lists are sliced in the database and joined with `select_related`, counts are annotations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from community.models import Follow, Story, StoryFollow, StoryItem, StoryItemKind
from fieldcast.accounts import roles
from fieldcast.accounts.models import User
from fieldcast.points import levels
from fieldcast.points.selectors import account_for, is_network_reporter
from fieldcast.videos.models import Video, VideoState
from fieldcast.videos.selectors import video_list_published
from ingest.models import LiveSource, Program, SourceState

HOME_NEWEST = 12
HOME_MOST_WATCHED = 8
HOME_STORIES = 6
HOME_ON_AIR = 6
HOME_FOLLOWING = 8
PROFILE_PAGE_SIZE = 24
PROFILE_STORIES = 10


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


# --- Reporter profiles -------------------------------------------------------------------------


@dataclass
class StoryContribution:
    story_id: int
    title: str
    videos: int


@dataclass
class ReporterProfile:
    reporter: User
    videos: list[Video]
    page: int
    has_next: bool
    is_owner: bool
    tier: str
    tier_label: str
    network_reporter: bool
    followers: int
    following: bool
    contributions: list[StoryContribution]
    published_count: int


def reporter_for_profile(*, reporter_id: int) -> User | None:
    """An active person who can report (upload or go live); None for anyone else."""
    reporter = User.objects.filter(pk=reporter_id, is_active=True).first()
    if reporter is None or not roles.has_role_permission(reporter, "upload_video"):
        return None
    return reporter


def _profile_videos(*, reporter: User, is_owner: bool) -> QuerySet[Video]:
    """Published work for everyone; the owner also sees their own clips in every other state."""
    videos = Video.objects.select_related("owner").filter(owner_id=reporter.pk)
    if not is_owner:
        videos = videos.filter(state=VideoState.PUBLISHED)
        return videos.order_by("-published_at", "-id")
    return videos.order_by("-created_at", "-id")


def story_contributions(*, reporter: User, limit: int = PROFILE_STORIES) -> list[StoryContribution]:
    """Stories holding this reporter's published clips, with how many, most recent first.

    Driven from the reporter's own videos, so its cost does not grow with the number of stories.
    """
    rows = (
        StoryItem.objects.filter(
            kind=StoryItemKind.VIDEO,
            video__owner_id=reporter.pk,
            video__state=VideoState.PUBLISHED,
        )
        .values("story_id", "story__title", "story__updated_at")
        .annotate(videos=Count("pk"))
        .order_by("-story__updated_at", "-story_id")[:limit]
    )
    return [
        StoryContribution(story_id=row["story_id"], title=row["story__title"], videos=row["videos"])
        for row in rows
    ]


def reporter_profile(
    *, reporter: User, user: User | AnonymousUser, page: int = 1
) -> ReporterProfile:
    """A reporter's public page for this viewer, one page of their work. Constant queries."""
    is_owner = bool(user.is_authenticated and user.pk == reporter.pk)
    start = (max(1, page) - 1) * PROFILE_PAGE_SIZE
    videos = list(
        _profile_videos(reporter=reporter, is_owner=is_owner)[start : start + PROFILE_PAGE_SIZE + 1]
    )
    account = account_for(user=reporter)
    counts = Follow.objects.filter(reporter_id=reporter.pk).aggregate(
        followers=Count("pk"),
        mine=Count("pk", filter=Q(follower_id=user.pk) if user.is_authenticated else Q(pk=None)),
    )
    published = Video.objects.filter(owner_id=reporter.pk, state=VideoState.PUBLISHED).count()
    return ReporterProfile(
        reporter=reporter,
        videos=videos[:PROFILE_PAGE_SIZE],
        page=max(1, page),
        has_next=len(videos) > PROFILE_PAGE_SIZE,
        is_owner=is_owner,
        tier=account.tier,
        tier_label=str(levels.tier_label(account.tier)),
        network_reporter=is_network_reporter(user=reporter),
        followers=counts["followers"],
        following=bool(counts["mine"]),
        contributions=story_contributions(reporter=reporter),
        published_count=published,
    )
