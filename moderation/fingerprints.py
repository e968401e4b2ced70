"""Perceptual fingerprints: a 64-bit difference hash (dHash) of frames sampled over time.

Each sampled frame is shrunk to 9x8 grey pixels; bit i says whether a pixel is brighter than its
right-hand neighbour. Re-encoding, rescaling and small crops barely move those gradients, so two
copies of the same footage have frame hashes a few bits apart. Two clips match when most of the
informative frames of the shorter one find a near twin anywhere in the other (so a trimmed,
re-timed or partial copy still matches its original).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

HASH_WIDTH, HASH_HEIGHT = 9, 8
FRAME_BYTES = HASH_WIDTH * HASH_HEIGHT
# A flat frame (black, white, one colour) hashes to nearly all zeros: it says nothing about the
# footage and would match every other flat frame, so it is left out of comparisons.
MIN_BITS, MAX_BITS = 4, 60


def fingerprint_command(*, ffmpeg: str, path: Path | str, fps: float) -> list[str]:
    """FFmpeg arguments that write one 9x8 grey frame per 1/fps seconds to stdout."""
    return [
        ffmpeg,
        "-hide_banner",
        "-loglevel",
        "error",
        "-nostdin",
        "-i",
        str(path),
        "-an",
        "-vf",
        f"fps={fps:g},scale={HASH_WIDTH}:{HASH_HEIGHT}:flags=area,format=gray",
        "-f",
        "rawvideo",
        "-",
    ]


def dhash(frame: bytes) -> int:
    """The 64-bit difference hash of one 9x8 grey frame."""
    value = 0
    for row in range(HASH_HEIGHT):
        pixels = frame[row * HASH_WIDTH : (row + 1) * HASH_WIDTH]
        for column in range(HASH_WIDTH - 1):
            value = (value << 1) | (1 if pixels[column] > pixels[column + 1] else 0)
    return value


def hashes_from_raw(raw: bytes) -> list[int]:
    return [
        dhash(raw[offset : offset + FRAME_BYTES])
        for offset in range(0, len(raw) - FRAME_BYTES + 1, FRAME_BYTES)
    ]


def fingerprint_file(
    *, ffmpeg: str, path: Path | str, fps: float, timeout: float = 600
) -> list[int]:
    """Run FFmpeg over a file and return its frame hashes."""
    result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        fingerprint_command(ffmpeg=ffmpeg, path=path, fps=fps),
        capture_output=True,
        check=True,
        timeout=timeout,
    )
    return hashes_from_raw(result.stdout)


def pack(hashes: Iterable[int]) -> bytes:
    return b"".join(value.to_bytes(8, "big") for value in hashes)


def unpack(data: bytes) -> list[int]:
    data = bytes(data)
    return [int.from_bytes(data[i : i + 8], "big") for i in range(0, len(data) - 7, 8)]


def informative(hashes: Sequence[int]) -> list[int]:
    return [value for value in hashes if MIN_BITS <= value.bit_count() <= MAX_BITS]


def match_score(first: Sequence[int], second: Sequence[int], *, max_distance: int) -> float:
    """Share (0-1) of the shorter clip's informative frames that have a twin in the other."""
    a, b = informative(first), informative(second)
    if len(a) < 2 or len(b) < 2:
        return 0.0
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    twins = sum(
        1
        for value in shorter
        if min((value ^ other).bit_count() for other in longer) <= max_distance
    )
    return twins / len(shorter)
