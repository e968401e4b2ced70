"""Counting views of published videos."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from community.models import (
    ViewMark,
)
from fieldcast.points.services import activity_record
from fieldcast.videos.models import Video, VideoState

VIEW_WINDOW_SECONDS: int = getattr(settings, "COMMUNITY_VIEW_WINDOW_SECONDS", 30 * 60)


def view_record(*, video: Video, viewer: str, now: float | None = None) -> bool:
    """Count a view of a published video once per viewer (user or session) per window.

    One insert that ignores a duplicate, then an F() increment only when the insert landed:
    no lock, no read-modify-write, so it never holds up the page. Returns True when counted.
    """
    if video.state != VideoState.PUBLISHED or not viewer:
        return False
    moment = now if now is not None else timezone.now().timestamp()
    window = int(moment // VIEW_WINDOW_SECONDS)
    try:
        with transaction.atomic():
            ViewMark.objects.create(video=video, viewer=viewer[:64], window=window)
    except IntegrityError:
        return False  # already counted in this window
    Video.objects.filter(pk=video.pk).update(view_count=F("view_count") + 1)
    signed_in = viewer[:1] == "u" and viewer[1:].isdigit()
    activity_record(user=int(viewer[1:]) if signed_in else None, kind="view", obj=video)
    return True
