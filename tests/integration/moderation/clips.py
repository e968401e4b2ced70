"""Tiny generated clips for the automatic-check tests (real FFmpeg, a few seconds each)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.core.files.storage import default_storage

from fieldcast.media.ffmpeg_binary import ffmpeg_path

SIZE = "320x240"
# Distinct footage with smooth, camera-like motion (noise does not survive any copy, so real
# fingerprints are never tested on it).
SOURCES = {
    "testsrc2": f"testsrc2=size={SIZE}:rate=25",
    # (FFmpeg's `gradients` source is not deterministic even with a seed: not used.)
    "swirl": (
        f"nullsrc=size={SIZE}:rate=25,geq=lum='128+100*sin(atan2(Y-120,X-160)*3"
        "+hypot(X-160,Y-120)/25-T*1.2)':cb=90:cr=170"
    ),
    "tiles": (
        f"nullsrc=size={SIZE}:rate=25,"
        "geq=lum='128+100*sin(X/45+2*sin(T))*sin(Y/38+T/2)':cb=160:cr=100"
    ),
    "waves": f"nullsrc=size={SIZE}:rate=25,geq=lum='128+100*sin(X/23+T*2)*cos(Y/31-T)':cb=128:cr=128",
    "ripples": (
        f"nullsrc=size={SIZE}:rate=25,"
        "geq=lum='128+90*sin((X+Y)/40-T*1.5)+30*cos(X/9)':cb=100:cr=150"
    ),
    "rings": (
        f"nullsrc=size={SIZE}:rate=25,"
        "geq=lum='128+110*sin(hypot(X-160,Y-120)/17-T*3)':cb=140:cr=110"
    ),
    "blobs": (f"life=size={SIZE}:rate=2:seed=7:ratio=0.4:mold=0,gblur=sigma=12,framerate=fps=25"),
    "bars": f"smptehdbars=size={SIZE}:rate=25",
}
# The copies a re-uploader might make.
TRANSFORMS = {
    "reencoded": ["-c:v", "libx264", "-crf", "36", "-preset", "veryfast"],
    "rescaled": ["-vf", "scale=iw/2:ih/2", "-c:v", "libx264", "-preset", "ultrafast"],
    "cropped": [
        "-vf",
        "crop=trunc(iw*0.95/2)*2:trunc(ih*0.95/2)*2",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
    ],
    "retimed": ["-vf", "setpts=PTS/1.1", "-r", "24", "-c:v", "libx264", "-preset", "ultrafast"],
}


def run(*args: str) -> None:
    subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args],
        check=True,
        timeout=120,
    )


def make_clip(path: Path, source: str, *, seconds: float = 5, audio: str | None = None) -> Path:
    args = ["-f", "lavfi", "-i", source]
    if audio:
        args += ["-f", "lavfi", "-i", audio, "-c:a", "aac", "-shortest"]
    run(
        *args,
        "-t",
        str(seconds),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        str(path),
    )
    return path


def make_copy(original: Path, path: Path, transform: str) -> Path:
    seek = ["-ss", "0.7"] if transform == "retimed" else []
    run(*seek, "-i", str(original), *TRANSFORMS[transform], "-pix_fmt", "yuv420p", str(path))
    return path


def store(path: Path, key: str) -> str:
    """Put a local file into default storage (local or S3) at `key`."""
    if default_storage.exists(key):
        default_storage.delete(key)
    with path.open("rb") as handle:
        return default_storage.save(key, handle)
