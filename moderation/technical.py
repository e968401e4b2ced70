"""Technical flags from one FFmpeg pass: black picture, frozen picture, silence, very short."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_BLACK = re.compile(r"black_duration:\s*([0-9.]+)")
_FREEZE_START = re.compile(r"freeze_start:\s*([0-9.]+)")
_FREEZE_DURATION = re.compile(r"freeze_duration:\s*([0-9.]+)")
_SILENCE_START = re.compile(r"silence_start:\s*(-?[0-9.]+)")
_SILENCE_DURATION = re.compile(r"silence_duration:\s*([0-9.]+)")
_DURATION = re.compile(r"Duration:\s*(\d+):(\d+):([0-9.]+)")
_AUDIO = re.compile(r"Stream #\d+:\d+.*: Audio:")


def technical_command(*, ffmpeg: str, path: Path | str) -> list[str]:
    """One decode pass with blackdetect, freezedetect and silencedetect; output discarded."""
    return [
        ffmpeg,
        "-hide_banner",
        "-nostats",
        "-nostdin",
        "-i",
        str(path),
        "-vf",
        "blackdetect=d=0.5:pix_th=0.10,freezedetect=n=0.003:d=1",
        "-af",
        "silencedetect=n=-50dB:d=1",
        "-f",
        "null",
        "-",
    ]


@dataclass(frozen=True)
class TechnicalReport:
    duration: float
    black: float
    frozen: float
    silent: float
    has_audio: bool

    def as_dict(self) -> dict[str, float | bool]:
        return {
            "duration": round(self.duration, 2),
            "black": round(self.black, 2),
            "frozen": round(self.frozen, 2),
            "silent": round(self.silent, 2),
            "has_audio": self.has_audio,
        }


def _open_ended(starts: list[float], durations: list[float], duration: float) -> float:
    """Total seconds, counting a run that never ended as lasting to the end of the clip."""
    total = sum(durations)
    if len(starts) > len(durations):
        total += max(0.0, duration - starts[-1])
    return total


def parse_technical(stderr: str, *, duration: float | None = None) -> TechnicalReport:
    """Read the detectors' log lines (a pure function: tests feed it text)."""
    if duration is None:
        found = _DURATION.search(stderr)
        duration = (
            int(found.group(1)) * 3600 + int(found.group(2)) * 60 + float(found.group(3))
            if found
            else 0.0
        )
    has_audio = bool(_AUDIO.search(stderr))
    black = sum(float(value) for value in _BLACK.findall(stderr))
    frozen = _open_ended(
        [float(v) for v in _FREEZE_START.findall(stderr)],
        [float(v) for v in _FREEZE_DURATION.findall(stderr)],
        duration,
    )
    silent = (
        _open_ended(
            [float(v) for v in _SILENCE_START.findall(stderr)],
            [float(v) for v in _SILENCE_DURATION.findall(stderr)],
            duration,
        )
        if has_audio
        else duration
    )
    return TechnicalReport(
        duration=duration,
        black=min(black, duration),
        frozen=min(frozen, duration),
        silent=min(silent, duration),
        has_audio=has_audio,
    )


def technical_flags(report: TechnicalReport, *, short_seconds: float, share: float) -> list[str]:
    """The flags a report raises: very short, or mostly black / frozen / silent."""
    flags = []
    if report.duration < short_seconds:
        flags.append("short")
    if report.duration > 0:
        for name in ("black", "frozen", "silent"):
            if getattr(report, name) / report.duration >= share:
                flags.append(name)
    return flags


def analyse_file(*, ffmpeg: str, path: Path | str, timeout: float = 600) -> TechnicalReport:
    result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        technical_command(ffmpeg=ffmpeg, path=path),
        capture_output=True,
        check=False,
        timeout=timeout,
        text=True,
        errors="replace",
    )
    return parse_technical(result.stderr)
