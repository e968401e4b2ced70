"""What the automatic checks found (terms, technical problems, fingerprint matches), stored and
turned into flags on the video's queue item. The checks themselves run in `moderation.checks`."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fieldcast.videos.models import Video, VideoState
from moderation import fingerprints
from moderation.models import AuditAction, CheckResult, VideoFingerprint
from moderation.services.audit import audit_write
from moderation.services.queue import case_open_for_video


@transaction.atomic
def checks_record(
    *,
    video_id: int,
    version: int,
    term_matches: list[dict[str, str]],
    technical: dict[str, Any],
    technical_flags: list[str],
    hashes: list[int],
    similar: list[dict[str, Any]],
) -> CheckResult:
    """Store what the automatic checks found and flag (and prioritise) the video's queue item.

    A fingerprint match marks a possible re-upload and links the earliest matching video as the
    original (the points ledger's "original footage" rule reads `CheckResult.original`).
    """
    video = Video.objects.select_for_update().get(pk=video_id)
    flags = list(technical_flags)
    if term_matches:
        flags.append("term")
    original = None
    if similar:
        flags.append("reupload")
        original = (
            Video.objects.filter(pk__in=[item["video_id"] for item in similar])
            .order_by("created_at", "id")
            .first()
        )
    result, _created = CheckResult.objects.update_or_create(
        video=video,
        defaults={
            "version": version,
            "term_matches": term_matches,
            "technical": technical,
            "flags": sorted(set(flags)),
            "similar": similar,
            "original": original,
        },
    )
    if hashes:
        VideoFingerprint.objects.update_or_create(
            video=video,
            defaults={
                "version": version,
                "hashes": fingerprints.pack(hashes),
                "frame_count": len(hashes),
            },
        )
    case = None
    if video.state == VideoState.PENDING_REVIEW:
        case = case_open_for_video(video_id=video.pk, flags=flags)
    audit_write(
        actor=None,
        action=AuditAction.CHECK,
        case=case,
        video=video,
        after={
            "flags": sorted(set(flags)),
            "original": original.pk if original else None,
            "terms": [m["term"] for m in term_matches],
        },
    )
    return result
