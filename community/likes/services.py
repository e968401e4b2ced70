"""Likes of published videos and of visible comments (each pays its author once)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from community.common import published_video
from community.models import (
    Comment,
    CommentLike,
    CommentState,
    VideoLike,
)
from community.notifications import notify
from fieldcast.accounts.guards import require_user
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import (
    Conflict,
    NotFound,
)
from fieldcast.points.services import activity_record, points_award


def video_like(*, user: User | AnonymousUser, video_id: int) -> VideoLike:
    """Like a published video once; pays the owner "like_received" once per liker and video."""
    liker = require_user(user)
    try:
        with transaction.atomic():
            video = published_video(video_id=video_id, user=liker)
            like = VideoLike.objects.create(user=liker, video=video)
            activity_record(user=liker, kind="like", obj=video)
            if video.owner_id != liker.pk:
                points_award(
                    user=video.owner,
                    rule="like_received",
                    obj=video,
                    key=f"like:video:{video.pk}:{liker.pk}",
                )
                notify.notify_video_liked(video=video, liker=liker)
    except IntegrityError as exc:
        raise Conflict(_("You already like this video."), code=ErrorCode.ALREADY_LIKED) from exc
    return like


@transaction.atomic
def video_unlike(*, user: User | AnonymousUser, video_id: int) -> None:
    liker = require_user(user)
    deleted, _rows = VideoLike.objects.filter(user=liker, video_id=video_id).delete()
    if not deleted:
        raise NotFound(_("You do not like this video."), code=ErrorCode.NOT_LIKED)


def comment_like(*, user: User | AnonymousUser, comment_id: int) -> CommentLike:
    """Like a visible comment once; its author gets "like_received" points once per liker."""
    liker = require_user(user)
    try:
        with transaction.atomic():
            comment = (
                Comment.objects.select_related("author")
                .filter(pk=comment_id, state=CommentState.VISIBLE)
                .first()
            )
            if comment is None:
                raise NotFound(_("We could not find that comment."))
            if comment.video_id is not None:  # a story's comments are public with the story
                published_video(video_id=comment.video_id, user=liker)
            like = CommentLike.objects.create(user=liker, comment=comment)
            activity_record(user=liker, kind="like", obj=comment)
            Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") + 1)
            if comment.author_id != liker.pk:
                points_award(
                    user=comment.author,
                    rule="like_received",
                    obj=comment,
                    key=f"like:comment:{comment.pk}:{liker.pk}",
                )
    except IntegrityError as exc:
        raise Conflict(_("You already like this comment."), code=ErrorCode.ALREADY_LIKED) from exc
    return like


@transaction.atomic
def comment_unlike(*, user: User | AnonymousUser, comment_id: int) -> None:
    liker = require_user(user)
    deleted, _rows = CommentLike.objects.filter(user=liker, comment_id=comment_id).delete()
    if not deleted:
        raise NotFound(_("You do not like this comment."), code=ErrorCode.NOT_LIKED)
    Comment.objects.filter(pk=comment_id).update(like_count=F("like_count") - 1)
