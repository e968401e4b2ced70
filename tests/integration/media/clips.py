"""Tiny generated clips for the media tests (and the transcode tests, which import them)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fieldcast.media.ffmpeg_binary import ffmpeg_path

# What a phone writes into its files: none of it may reach a viewer.
PHONE_TAGS = {
    "location": "+51.5007-000.1246/",
    "com.apple.quicktime.location.ISO6709": "+51.5007-000.1246+010.000/",
    "make": "Apple",
    "model": "iPhone 15",
    "com.apple.quicktime.make": "Apple",
    "com.apple.quicktime.model": "iPhone 15",
    "creation_time": "2026-11-20T08:15:00.000000Z",
}


def make_clip(
    path: Path,
    *,
    seconds: float = 3,
    size: str = "320x240",
    rate: int = 25,
    audio: bool = True,
    video: bool = True,
    extra: list[str] | None = None,
) -> Path:
    """A lavfi testsrc (+ sine) clip, H.264/AAC in whatever container `path`'s suffix implies."""
    argv = [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-y"]
    if video:
        argv += ["-f", "lavfi", "-i", f"testsrc=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        argv += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    if video:
        argv += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio:
        argv += ["-c:a", "aac"]
    argv += [*(extra or []), str(path)]
    subprocess.run(argv, check=True)
    return path


def phone_tag_args() -> list[str]:
    args = ["-movflags", "use_metadata_tags"]
    for key, value in PHONE_TAGS.items():
        args += ["-metadata", f"{key}={value}"]
    args += ["-metadata:s:v:0", "handler_name=Core Media Video"]
    args += ["-metadata:s:v:0", "com.apple.quicktime.camera.lens_model=back camera"]
    return args


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def phone_clip(clip_dir: Path) -> Path:
    """3 s, 320x240, 25 fps, H.264 + AAC in MP4, with GPS and device tags like a phone's."""
    return make_clip(clip_dir / "phone.mp4", extra=phone_tag_args())
