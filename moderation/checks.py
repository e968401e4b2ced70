"""Automatic checks of a video waiting for review: term filter, technical flags, fingerprint.

Run by the worker (`moderation.tasks.run_automatic_checks`) after transcode, before a human looks.
The FFmpeg work happens here, outside any transaction; `services.checks_record` then stores the
results and flags the queue item in one short transaction. Checks only flag and prioritise.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from fieldcast.media.ffmpeg_binary import ffmpeg_path
from fieldcast.videos.models import Video, VideoState
from moderation import fingerprints, services, technical, terms
from moderation.models import CheckResult, VideoFingerprint

logger = logging.getLogger(__name__)


@contextmanager
def local_copy(key: str) -> Iterator[Path]:
    """A local path to a stored object: the file itself on local storage, a temp copy on S3."""
    try:
        yield Path(default_storage.path(key))
        return
    except NotImplementedError:
        pass
    with tempfile.TemporaryDirectory(prefix="fc-checks-") as work:
        target = Path(work) / Path(key).name
        with default_storage.open(key, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, length=1024 * 1024)
        yield target


def similar_videos(*, video_id: int, hashes: list[int]) -> list[dict[str, float | int]]:
    """Every other fingerprinted video that matches, best first."""
    found = []
    for other_id, packed in (
        VideoFingerprint.objects.exclude(video_id=video_id)
        .values_list("video_id", "hashes")
        .iterator()
    ):
        score = fingerprints.match_score(
            hashes,
            fingerprints.unpack(packed),
            max_distance=settings.MODERATION_FINGERPRINT_MAX_DISTANCE,
        )
        if score >= settings.MODERATION_FINGERPRINT_MATCH_SHARE:
            found.append({"video_id": other_id, "score": round(score, 3)})
    return sorted(found, key=lambda item: (-item["score"], item["video_id"]))


def video_checks_run(*, video_id: int) -> CheckResult | None:
    """Run every check on a video waiting for review and record the results (safe to rerun)."""
    video = Video.objects.filter(pk=video_id).first()
    if video is None or video.state != VideoState.PENDING_REVIEW:
        return None
    matches = terms.find_terms(
        fields={"title": video.title, "description": video.description}, lists=terms.term_lists()
    )
    report: technical.TechnicalReport | None = None
    hashes: list[int] = []
    key = video.download_key or video.source_key
    if key and default_storage.exists(key):
        with local_copy(key) as path:
            report = technical.analyse_file(ffmpeg=ffmpeg_path(), path=path)
            hashes = fingerprints.fingerprint_file(
                ffmpeg=ffmpeg_path(), path=path, fps=settings.MODERATION_FINGERPRINT_FPS
            )
    else:
        logger.warning("video %s has no media file to check", video_id)
    if report is not None and video.duration_seconds:
        # The probe's duration is more exact than the one in the FFmpeg log.
        report = technical.TechnicalReport(
            duration=video.duration_seconds,
            black=report.black,
            frozen=report.frozen,
            silent=report.silent,
            has_audio=report.has_audio,
        )
    similar = similar_videos(video_id=video.pk, hashes=hashes) if hashes else []
    return services.checks_record(
        video_id=video.pk,
        version=video.version,
        term_matches=[match.as_dict() for match in matches],
        technical=report.as_dict() if report is not None else {},
        technical_flags=technical.technical_flags(
            report,
            short_seconds=settings.MODERATION_SHORT_SECONDS,
            share=settings.MODERATION_TECHNICAL_SHARE,
        )
        if report is not None
        else [],
        hashes=hashes,
        similar=similar,
    )
