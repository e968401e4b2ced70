"""Moderation test data: videos waiting for review with their open case, published videos."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

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
