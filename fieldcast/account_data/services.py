"""Export a person's data; erase an account whose deletion fell due (docs/security.md)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from community.models import (
    ChatMessage,
    Comment,
    CommentLike,
    CommentState,
    Follow,
    Notification,
    StoryFollow,
    VideoLike,
)
from fieldcast.accounts.models import ApiToken, SecurityEvent, SecurityEventKind, User
from fieldcast.accounts.services import pseudonym, security_event_record
from fieldcast.points.models import PointEvent
from fieldcast.videos.models import Video, VideoState
from ingest.models import StreamKey

logger = logging.getLogger(__name__)

EXPORT_FORMAT = 1


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def account_data_export(*, user: User, ip_address: str | None = None) -> dict[str, Any]:
    """Everything the person gave or earned here, as JSON-ready data (recorded in the trail)."""
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "city": user.city,
            "bio": user.bio,
            "avatar": user.avatar.name if user.avatar else "",
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "deletion_due_at": _iso(user.deletion_due_at),
        },
        "clips": [
            {
                "id": video.pk,
                "key": str(video.key),
                "title": video.title,
                "description": video.description,
                "state": video.state,
                "created_at": _iso(video.created_at),
                "published_at": _iso(video.published_at),
            }
            for video in Video.objects.filter(owner=user).order_by("created_at", "pk")
        ],
        "comments": [
            {
                "id": comment.pk,
                "video_id": comment.video_id,
                "story_id": comment.story_id,
                "body": comment.body,
                "state": comment.state,
                "created_at": _iso(comment.created_at),
            }
            for comment in Comment.objects.filter(author=user).order_by("created_at", "pk")
        ],
        "points": [
            {
                "rule": event.rule,
                "points": event.points,
                "reason": event.reason,
                "about": event.obj_ref,
                "created_at": _iso(event.created_at),
            }
            for event in PointEvent.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "security_events": [
            {"kind": event.kind, "created_at": _iso(event.created_at)}
            for event in SecurityEvent.objects.filter(user=user).order_by("created_at", "pk")
        ],
    }
    security_event_record(kind=SecurityEventKind.DATA_EXPORTED, user=user, ip_address=ip_address)
    return data


@transaction.atomic
def account_erase(*, user_id: int, now: datetime | None = None) -> bool:
    """Carry out a deletion that fell due. Safe to run twice: False when there is nothing to do
    (cancelled, not yet due, or already erased).

    The newsroom keeps published clips (there is no licence field that would say otherwise),
    under the neutral byline "Former reporter"; unpublished ones go. Comments are emptied like
    an author's own deletion, likes and follows removed, keys and tokens revoked, and every
    personal field of the account emptied. The row itself stays: the points ledger, published
    clips and audit trails point at it, and the security log keeps its pseudonymous id.
    """
    now = now or timezone.now()
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if (
        user is None
        or user.erased_at is not None
        or user.deletion_due_at is None
        or user.deletion_due_at > now
    ):
        return False
    old_email = user.email
    kept = Video.objects.filter(owner=user, state=VideoState.PUBLISHED).count()
    dropped = 0
    for video in Video.objects.filter(owner=user).exclude(state=VideoState.PUBLISHED):
        try:
            with transaction.atomic():
                video.delete()
            dropped += 1
        except ProtectedError:
            # Something the newsroom must keep (a moderation record) points at it: empty it.
            Video.objects.filter(pk=video.pk).update(title="", description="", capture_metadata={})
    Comment.objects.filter(author=user).update(state=CommentState.DELETED, body="")
    ChatMessage.objects.filter(author=user).update(body="", author_name="")
    VideoLike.objects.filter(user=user).delete()
    CommentLike.objects.filter(user=user).delete()
    Follow.objects.filter(follower=user).delete()
    Follow.objects.filter(reporter=user).delete()
    StoryFollow.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    ApiToken.objects.filter(user=user).delete()
    StreamKey.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=old_email).delete()
    avatar = user.avatar.name if user.avatar else ""
    user.email = f"deleted-{pseudonym(user.pk)}@deleted.invalid"
    user.display_name = ""
    user.first_name = ""
    user.last_name = ""
    user.bio = ""
    user.city = ""
    user.avatar.name = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deletion_due_at = None
    user.erased_at = now
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    if avatar:
        storage = user.avatar.storage
        transaction.on_commit(lambda: storage.delete(avatar))
    security_event_record(
        kind=SecurityEventKind.ACCOUNT_DELETED,
        user=user,
        detail={"clips_kept": kept, "clips_deleted": dropped},
    )
    return True


def accounts_erase_due(*, now: datetime | None = None) -> int:
    """Erase every account whose deletion is due (the periodic task). Returns how many."""
    now = now or timezone.now()
    due = list(
        User.objects.filter(deletion_due_at__lte=now, erased_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    erased = 0
    for user_id in due:
        try:
            erased += account_erase(user_id=user_id, now=now)
        except Exception:
            # One account that cannot be erased now must not hold up the others; the next run
            # tries again.
            logger.exception("erasing account %s failed", user_id)
    return erased
