"""Which FFmpeg Fieldcast runs: configured, else on PATH, else imageio-ffmpeg's static build."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import imageio_ffmpeg
import pytest
from django.test import override_settings

from fieldcast.media import ffmpeg_binary
from fieldcast.media.ffmpeg_binary import ffmpeg_path


@pytest.fixture(autouse=True)
def _fresh_lookup() -> Iterator[None]:
    # ffmpeg_path() is cached for the process; each test decides afresh and leaves no trace.
    ffmpeg_path.cache_clear()
    ffmpeg_binary.ffprobe_path.cache_clear()
    yield
    ffmpeg_path.cache_clear()
    ffmpeg_binary.ffprobe_path.cache_clear()


def _version_banner(binary: str) -> str:
    result = subprocess.run(
        [binary, "-hide_banner", "-version"], capture_output=True, text=True, check=True, timeout=30
    )
    return result.stdout


@override_settings(FFMPEG_BINARY="")
def test_ffmpeg_path_finds_a_working_ffmpeg() -> None:
    # when Fieldcast looks for FFmpeg with nothing configured
    binary = ffmpeg_path()

    # then the binary runs
    assert _version_banner(binary).startswith("ffmpeg version")


@override_settings(FFMPEG_BINARY="")
def test_ffmpeg_path_falls_back_to_imageio_ffmpeg(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a machine with no ffmpeg on PATH
    monkeypatch.setattr(ffmpeg_binary.shutil, "which", lambda name: None)

    # when Fieldcast looks for FFmpeg
    binary = ffmpeg_path()

    # then it uses the static build shipped by the imageio-ffmpeg wheel, and it runs
    assert binary == imageio_ffmpeg.get_ffmpeg_exe()
    assert _version_banner(binary).startswith("ffmpeg version")


@override_settings(FFMPEG_BINARY="")
def test_ffmpeg_path_prefers_ffmpeg_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # given an ffmpeg on PATH
    monkeypatch.setattr(
        ffmpeg_binary.shutil,
        "which",
        lambda name: "/opt/ffmpeg/bin/ffmpeg" if name == "ffmpeg" else None,
    )

    # when Fieldcast looks for FFmpeg
    binary = ffmpeg_path()

    # then it takes the one on PATH
    assert binary == "/opt/ffmpeg/bin/ffmpeg"


@override_settings(FFMPEG_BINARY="/srv/ffmpeg-7/ffmpeg")
def test_configured_ffmpeg_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    # given an ffmpeg on PATH and another one configured
    monkeypatch.setattr(ffmpeg_binary.shutil, "which", lambda name: "/usr/bin/ffmpeg")

    # when Fieldcast looks for FFmpeg
    binary = ffmpeg_path()

    # then the configured one is used
    assert binary == "/srv/ffmpeg-7/ffmpeg"
