"""Reads about videos. Every read path checks visibility here (docs/architecture.md)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fieldcast.accounts.guards import has_permission
from fieldcast.accounts.models import User
from fieldcast.core.errors import NotFound
from fieldcast.videos.models import Video, VideoState


def user_can_see_video(*, video: Video, user: User | AnonymousUser) -> bool:
    """Published videos are public; anything else only for its owner and editors."""
    if video.state == VideoState.PUBLISHED:
        return True
    if not user.is_authenticated:
        return False
    if video.owner_id == user.pk:
        return True
    return has_permission(user, "moderate_content")


def video_for_viewer(*, video_id: int, user: User | AnonymousUser) -> Video:
    """The video if this person may see it; the same NotFound whether missing or hidden."""
    video = Video.objects.select_related("owner").filter(pk=video_id).first()
    if video is None or not user_can_see_video(video=video, user=user):
        raise NotFound(_("We could not find that video."))
    return video


def video_list_published(
    *, reporter_id: int | None = None, assignment: str | None = None
) -> QuerySet[Video]:
    """Published videos, newest first, optionally of one reporter or one assignment."""
    videos = Video.objects.select_related("owner").filter(state=VideoState.PUBLISHED)
    if reporter_id is not None:
        videos = videos.filter(owner_id=reporter_id)
    if assignment:
        videos = videos.filter(assignment_ref=assignment)
    return videos.order_by("-published_at", "-id")


def video_list_for_owner(*, user: User) -> QuerySet[Video]:
    """A reporter's own videos in every state, newest first."""
    return Video.objects.filter(owner=user).order_by("-created_at", "-id")
