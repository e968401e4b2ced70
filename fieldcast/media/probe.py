"""Probe and validate an uploaded original before anything transcodes it.

How the probe works, and why:

1. **We pick the demuxer, FFmpeg does not.** FFmpeg's own format detection happily picks the HLS,
   DASH, concat or image2 demuxers, and those open *other* files or URLs named inside the upload
   (an `#EXTM3U` file named `.mp4` that lists `/var/lib/fieldcast/media/someone-else.mp4` would be
   transcoded into our outputs). So we sniff the first bytes ourselves against the magic numbers of
   the containers we accept (`sniff_format`) and from then on every FFmpeg/PyAV open *forces* that
   demuxer (`-f <format>`) with `protocol_whitelist=file,pipe`. None of the allowed demuxers follows
   references to other files by default (mov's `enable_drefs` is off), so a crafted file can only
   ever be read as itself. Anything we do not recognise is refused, whatever its name says.
2. **PyAV, in a child process.** PyAV is always installed (imageio-ffmpeg's static FFmpeg ships no
   ffprobe), gives structured data instead of `ffmpeg -i` log text to parse, and lets us decode the
   first frame to learn the display rotation and check the file really decodes. It runs in a child
   Python process with a memory cap and a timeout: a demuxer crash or hang on a hostile file then
   fails this one video instead of killing the Celery worker, whose unacknowledged message would be
   redelivered to crash the next worker, forever.
3. **Limits before decoding.** Dimensions come from the container/codec headers and are checked in
   the child before the first frame is decoded, so a file declaring 20000x20000 is refused without
   allocating a frame that size.

`probe_source()` returns a `ProbeResult` or raises `SourceRefused` (a `ValidationFailed`) whose
message is written for the reporter and shown on their page.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ValidationFailed
from fieldcast.media.probe_child import PROTOCOL_WHITELIST

__all__ = ["PROTOCOL_WHITELIST", "ProbeResult", "SourceRefused", "probe_source", "sniff_format"]

# FFmpeg demuxer names (as `-f` takes them) of the containers we accept.
MOV_FORMAT = "mov,mp4,m4a,3gp,3g2,mj2"
MATROSKA_FORMAT = "matroska,webm"
MPEGTS_FORMAT = "mpegts"
AVI_FORMAT = "avi"
FLV_FORMAT = "flv"
ALLOWED_FORMATS = frozenset({MOV_FORMAT, MATROSKA_FORMAT, MPEGTS_FORMAT, AVI_FORMAT, FLV_FORMAT})


# QuickTime/MP4 files start with one of these top-level atoms (after a 4-byte size).
_MOV_ATOMS = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
_SNIFF_BYTES = 1024
_PROBE_TIMEOUT_SECONDS = 120
_PROBE_MEMORY_BYTES = 2 * 1024**3
_PROBE_CHILD = Path(__file__).with_name("probe_child.py")


class SourceRefused(ValidationFailed):
    """The original cannot be transcoded; the message tells the reporter why."""

    default_code = ErrorCode.VIDEO_REFUSED


@dataclass(frozen=True)
class ProbeResult:
    """What the probe learned about an accepted original."""

    format_name: str
    width: int  # as displayed (rotation applied)
    height: int
    duration_seconds: float | None
    frame_rate: float | None
    has_audio: bool
    video_codec: str
    stream_count: int
    rotation: int = 0
    capture_metadata: dict[str, Any] = field(default_factory=dict)

    def as_service_dict(self) -> dict[str, Any]:
        """The `probe` argument of `video_processing_succeed`."""
        return {
            "duration_seconds": self.duration_seconds,
            "width": self.width,
            "height": self.height,
            "frame_rate": self.frame_rate,
            "capture_metadata": self.capture_metadata,
        }


def sniff_format(head: bytes) -> str | None:
    """The allowed demuxer these first bytes belong to, or None: decided by content, never name."""
    if len(head) >= 8 and head[4:8] in _MOV_ATOMS:
        return MOV_FORMAT
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return MATROSKA_FORMAT
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return AVI_FORMAT
    if head.startswith(b"FLV\x01"):
        return FLV_FORMAT
    # MPEG-TS: a 0x47 sync byte every 188 bytes; M2TS (AVCHD cameras) adds a 4-byte timecode.
    for offset, size in ((0, 188), (4, 192)):
        syncs = [offset + n * size for n in range(4)]
        if len(head) > syncs[-1] and all(head[i] == 0x47 for i in syncs):
            return MPEGTS_FORMAT
    return None


def probe_source(path: Path) -> ProbeResult:
    """Check the original at `path` against the allow-list and the limits in settings."""
    size = path.stat().st_size
    if size == 0:
        raise SourceRefused(_("The uploaded file is empty. Please upload the video again."))
    if size > settings.TRANSCODE_MAX_SOURCE_BYTES:
        raise SourceRefused(
            _("This file is too large: we accept videos up to %(limit)s.")
            % {"limit": filesizeformat(settings.TRANSCODE_MAX_SOURCE_BYTES)}
        )
    with path.open("rb") as source:
        head = source.read(_SNIFF_BYTES)
    format_name = sniff_format(head)
    if format_name is None:
        raise SourceRefused(
            _(
                "This file is not a video format we accept. Please upload an MP4, MOV, 3GP, "
                "WebM, MKV, AVI, FLV or MPEG-TS video, as your phone or camera recorded it."
            )
        )
    facts = _run_probe_child(path, format_name)
    return _validate(facts, format_name)


def _damaged() -> SourceRefused:
    return SourceRefused(
        _(
            "We could not read this video: the file seems incomplete or damaged. "
            "Please upload it again, or export it again from your phone or camera."
        )
    )


def _run_probe_child(path: Path, format_name: str) -> dict[str, Any]:
    command = [
        sys.executable,
        # By file, not `-m fieldcast.media.probe_child`: importing the `fieldcast` package loads the
        # Celery app, and the child must start fast. `-P`: no script directory on its path.
        "-P",
        str(_PROBE_CHILD),
        str(path),
        format_name,
        str(settings.TRANSCODE_MAX_WIDTH),
        str(settings.TRANSCODE_MAX_HEIGHT),
        str(_PROBE_MEMORY_BYTES),
    ]
    try:
        completed = subprocess.run(  # noqa: S603 - our interpreter, our module, a path we chose
            command,
            capture_output=True,
            timeout=_PROBE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise _damaged() from exc
    if completed.returncode != 0:
        raise _damaged()
    try:
        facts: dict[str, Any] = json.loads(completed.stdout)
    except ValueError as exc:
        raise _damaged() from exc
    return facts


def _validate(facts: dict[str, Any], format_name: str) -> ProbeResult:
    error = facts.get("error")
    if error == "unreadable" or facts.get("format_name") != format_name:
        raise _damaged()
    if facts["stream_count"] > settings.TRANSCODE_MAX_STREAMS:
        raise SourceRefused(
            _("This file has %(count)s tracks; we accept at most %(limit)s.")
            % {"count": facts["stream_count"], "limit": settings.TRANSCODE_MAX_STREAMS}
        )
    if error == "no_video":
        raise SourceRefused(
            _("This file has no video, only sound or other data. Please upload a video recording.")
        )
    if error == "too_large" or (
        facts["width"] > settings.TRANSCODE_MAX_WIDTH
        or facts["height"] > settings.TRANSCODE_MAX_HEIGHT
    ):
        raise SourceRefused(
            _(
                "This video's picture is %(width)sx%(height)s pixels; we accept at most "
                "%(max_width)sx%(max_height)s. Please export it at a smaller size."
            )
            % {
                "width": facts["width"],
                "height": facts["height"],
                "max_width": settings.TRANSCODE_MAX_WIDTH,
                "max_height": settings.TRANSCODE_MAX_HEIGHT,
            }
        )
    if error:
        raise _damaged()
    duration = facts["duration_seconds"]
    if duration is not None and duration > settings.TRANSCODE_MAX_DURATION_SECONDS:
        limit = round(settings.TRANSCODE_MAX_DURATION_SECONDS / 60)
        raise SourceRefused(
            ngettext(
                "This video is %(minutes)s minutes long; we accept up to %(limit)s minute.",
                "This video is %(minutes)s minutes long; we accept up to %(limit)s minutes.",
                limit,
            )
            % {
                "minutes": round(duration / 60),
                "limit": limit,
            }
        )
    frame_rate = facts["frame_rate"]
    if frame_rate is not None and frame_rate > settings.TRANSCODE_MAX_FRAME_RATE:
        raise SourceRefused(
            _("This video has %(fps)s frames per second; we accept up to %(limit)s.")
            % {"fps": round(frame_rate), "limit": round(settings.TRANSCODE_MAX_FRAME_RATE)}
        )
    min_width, min_height = settings.TRANSCODE_MIN_WIDTH, settings.TRANSCODE_MIN_HEIGHT
    if facts["width"] < min_width or facts["height"] < min_height:
        # A readable but tiny picture: say so, not "damaged" (docs/uploads.md).
        raise SourceRefused(
            _(
                "This video's picture is %(width)s×%(height)s pixels; we accept at least "
                "%(min_width)s×%(min_height)s. Please upload the recording at its original size."
            )
            % {
                "width": facts["width"],
                "height": facts["height"],
                "min_width": min_width,
                "min_height": min_height,
            }
        )
    rotation = int(facts.get("rotation") or 0)
    width, height = facts["width"], facts["height"]
    if rotation % 180:
        width, height = height, width
    return ProbeResult(
        format_name=format_name,
        width=width,
        height=height,
        duration_seconds=duration,
        frame_rate=frame_rate,
        has_audio=facts["has_audio"],
        video_codec=facts["video_codec"],
        stream_count=facts["stream_count"],
        rotation=rotation,
        capture_metadata=facts["capture_metadata"],
    )
