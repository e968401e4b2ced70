"""Moderation test data: videos waiting for review with their open case, published videos."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from community.models import MODERATION_KINDS, Notification
from community.notifications import notify
from fieldcast.videos.models import Video
from moderation import services
from moderation.models import Case, CaseKind, CaseStatus
from tests.factories import UserFactory, VideoFactory


def pending_case(*, owner: Any = None, **video_fields: Any) -> Case:
    """A video in pending_review and its open review case."""
    owner = owner or UserFactory(roles=["reporter"])
    video = VideoFactory(owner=owner, state="pending_review", **video_fields)
    services.cases_sync_pending_videos()
    return Case.objects.get(video=video, kind=CaseKind.VIDEO, status=CaseStatus.OPEN)


def published_video(*, owner: Any = None, **fields: Any) -> Video:
    owner = owner or UserFactory(roles=["reporter"])
    return VideoFactory(owner=owner, state="published", published_at=timezone.now(), **fields)


def notice_text(user: Any) -> str:
    """What the person's one moderation notification says (fails unless there is exactly one)."""
    return notify.notification_text(
        Notification.objects.get(recipient=user, kind__in=MODERATION_KINDS)
    )


def latest_notice_text(user: Any) -> str:
    """What the person's newest moderation notification says."""
    item = Notification.objects.filter(recipient=user, kind__in=MODERATION_KINDS).latest("id")
    return notify.notification_text(item)
