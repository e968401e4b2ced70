"""The one place that decides who is told what (in-app notifications and the live bell).

Every other module calls one `notify_*` function per happening; this module picks the
recipients, drops the ones who muted that kind or caused it themselves, stores the rows and,
after commit, pushes the new unread count to each recipient's /ws/me/ sockets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.db.models import Q

from community.models import (
    Assignment,
    Comment,
    Follow,
    Notification,
    NotificationKind,
    NotificationMute,
    Story,
    StoryFollow,
)
from fieldcast.accounts.models import User
from fieldcast.core import events
from fieldcast.videos.models import Video

# "@Ada Obi" names a person by display name; names may hold spaces, so up to three words follow.
_MENTION = re.compile(r"(?<![\w@])@(\w[\w.\-]*(?:[ \t]+\w[\w.\-]*){0,2})")
MAX_MENTIONS = 10


def mention_candidates(text: str) -> set[str]:
    """Every lower-cased name an @mention in `text` could mean (1, 2 or 3 words after the @)."""
    names: set[str] = set()
    for match in _MENTION.finditer(text):
        words = match.group(1).split()
        for count in range(1, len(words) + 1):
            names.add(" ".join(words[:count]).lower())
    return names


def mentioned_users(text: str) -> list[User]:
    """People whose display name is mentioned in `text` (at most MAX_MENTIONS)."""
    candidates = mention_candidates(text)
    if not candidates:
        return []
    query = Q()
    for name in candidates:
        query |= Q(display_name__iexact=name)
    return list(User.objects.filter(query, is_active=True).order_by("id")[:MAX_MENTIONS])


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def push_unread(*, user_id: int) -> None:
    """Tell the person's open pages their new unread count (call after commit)."""
    events.publish(
        group=events.user_group(user_id),
        event={"type": "notification.unread", "unread": unread_count(user_id=user_id)},
    )


def _send(
    *,
    kind: str,
    recipients: Iterable[User | int],
    actor: User | None,
    video: Video | None = None,
    comment: Comment | None = None,
    story: Story | None = None,
    assignment: Assignment | None = None,
) -> list[Notification]:
    ids = {r if isinstance(r, int) else r.pk for r in recipients}
    if actor is not None:
        ids.discard(actor.pk)  # nobody is told about what they did themselves
    if not ids:
        return []
    muted = set(
        NotificationMute.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", flat=True
        )
    )
    rows = [
        Notification(
            recipient_id=uid,
            kind=kind,
            actor=actor,
            video=video,
            comment=comment,
            story=story,
            assignment=assignment,
        )
        for uid in sorted(ids - muted)
    ]
    Notification.objects.bulk_create(rows)
    for uid in sorted(ids - muted):
        transaction.on_commit(partial(push_unread, user_id=uid))
    return rows


def notify_comment_posted(*, comment: Comment) -> list[Notification]:
    """A visible comment: its video's owner is told, and everyone it @mentions."""
    sent = _send(
        kind=NotificationKind.VIDEO_COMMENTED,
        recipients=[comment.video.owner_id],
        actor=comment.author,
        video=comment.video,
        comment=comment,
    )
    mentioned = [u for u in mentioned_users(comment.body) if u.pk != comment.video.owner_id]
    sent += _send(
        kind=NotificationKind.MENTION,
        recipients=mentioned,
        actor=comment.author,
        video=comment.video,
        comment=comment,
    )
    return sent


def notify_video_liked(*, video: Video, liker: User) -> list[Notification]:
    return _send(
        kind=NotificationKind.VIDEO_LIKED, recipients=[video.owner_id], actor=liker, video=video
    )


def notify_video_published(*, video: Video) -> list[Notification]:
    """Hook for `video_publish`: every follower of the reporter hears about the new video."""
    followers = Follow.objects.filter(reporter_id=video.owner_id).values_list(
        "follower_id", flat=True
    )
    return _send(
        kind=NotificationKind.FOLLOWED_PUBLISHED,
        recipients=list(followers),
        actor=video.owner,
        video=video,
    )


def notify_story_updated(*, story: Story, editor: User, video: Video | None) -> list[Notification]:
    """A new timeline entry: everyone following the story hears about it."""
    followers = StoryFollow.objects.filter(story=story).values_list("user_id", flat=True)
    return _send(
        kind=NotificationKind.STORY_UPDATED,
        recipients=list(followers),
        actor=editor,
        video=video,
        story=story,
    )


def notify_assignment_published(*, assignment: Assignment) -> list[Notification]:
    """A new call for footage: reporters (people who may upload) in its city are told."""
    reporters = (
        User.objects.filter(
            is_active=True,
            city__iexact=assignment.city,
            groups__permissions__codename="upload_video",
            groups__permissions__content_type__app_label="accounts",
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    return _send(
        kind=NotificationKind.ASSIGNMENT_NEAR,
        recipients=list(reporters),
        actor=assignment.created_by,
        assignment=assignment,
    )
