"""Which FFmpeg to run: the configured one, else `ffmpeg` on PATH, else imageio-ffmpeg's static build.

So a fresh laptop needs no apt step, and a server with Debian's FFmpeg uses that.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import imageio_ffmpeg
from django.conf import settings


@functools.cache
def ffmpeg_path() -> str:
    configured = getattr(settings, "FFMPEG_BINARY", "")
    if configured:
        return configured
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    return imageio_ffmpeg.get_ffmpeg_exe()


@functools.cache
def ffprobe_path() -> str | None:
    """ffprobe beside the chosen ffmpeg, or on PATH; imageio-ffmpeg ships none (None then)."""
    sibling = Path(ffmpeg_path()).with_name("ffprobe")
    if sibling.exists():
        return str(sibling)
    return shutil.which("ffprobe")
