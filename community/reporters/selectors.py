"""Reads for reporters' profile pages and their followers.

Every function here takes a fixed number of queries, whatever the number of items.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet

from community.models import Follow, StoryItem, StoryItemKind
from fieldcast.accounts import roles
from fieldcast.accounts.models import User
from fieldcast.points import levels
from fieldcast.points.selectors import account_for, is_network_reporter
from fieldcast.videos.models import Video, VideoState

PROFILE_PAGE_SIZE = 24
PROFILE_STORIES = 10


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


def follower_count(*, reporter_id: int) -> int:
    return Follow.objects.filter(reporter_id=reporter_id).count()
