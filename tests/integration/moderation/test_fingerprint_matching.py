"""Perceptual fingerprints on generated clips: copies match their original, other clips do not.

Positive pairs: each of 8 originals against its re-encoded, rescaled (half size), 5%-cropped and
re-timed (0.7 s trimmed, 10% faster, 24 fps) copy, plus a 720p original against its 360p copy.
Negative pairs: each original against every copy of every other clip.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from fieldcast.media.ffmpeg_binary import ffmpeg_path
from moderation import fingerprints
from tests.integration.moderation.clips import SOURCES, TRANSFORMS, make_clip, make_copy

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def clip_hashes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[int]]:
    work = tmp_path_factory.mktemp("fingerprints")
    found: dict[str, list[int]] = {}

    def add(name: str, path: Path) -> None:
        found[name] = fingerprints.fingerprint_file(
            ffmpeg=ffmpeg_path(), path=path, fps=settings.MODERATION_FINGERPRINT_FPS
        )

    for name, source in SOURCES.items():
        original = make_clip(work / f"{name}.mp4", source)
        add(name, original)
        for transform in TRANSFORMS:
            add(
                f"{name}/{transform}",
                make_copy(original, work / f"{name}-{transform}.mp4", transform),
            )
    hd = make_clip(work / "hd.mp4", "testsrc2=size=1280x720:rate=25", seconds=2)
    add("hd720", hd)
    make_clip_360 = work / "hd-360.mp4"
    make_copy(hd, make_clip_360, "rescaled")  # 1280x720 -> 640x360
    add("hd720/360p", make_clip_360)
    return found


def _score(first: list[int], second: list[int]) -> float:
    return fingerprints.match_score(
        first, second, max_distance=settings.MODERATION_FINGERPRINT_MAX_DISTANCE
    )


def _matches(first: list[int], second: list[int]) -> bool:
    return _score(first, second) >= settings.MODERATION_FINGERPRINT_MATCH_SHARE


def test_copies_match_and_different_clips_do_not(clip_hashes):
    # given
    positives = [(name, f"{name}/{t}") for name in SOURCES for t in TRANSFORMS]
    positives.append(("hd720", "hd720/360p"))
    negatives = [
        (name, f"{other}/{t}")
        for name in SOURCES
        for other in SOURCES
        if other != name
        for t in TRANSFORMS
    ]
    # when
    missed = [
        pair for pair in positives if not _matches(clip_hashes[pair[0]], clip_hashes[pair[1]])
    ]
    false = [pair for pair in negatives if _matches(clip_hashes[pair[0]], clip_hashes[pair[1]])]
    # then
    recall = 1 - len(missed) / len(positives)
    false_positive_rate = len(false) / len(negatives)
    print(
        json.dumps(
            {
                "positive_pairs": len(positives),
                "negative_pairs": len(negatives),
                "recall": recall,
                "false_positive_rate": false_positive_rate,
                "lowest_positive_score": min(
                    _score(clip_hashes[a], clip_hashes[b]) for a, b in positives
                ),
                "highest_negative_score": max(
                    _score(clip_hashes[a], clip_hashes[b]) for a, b in negatives
                ),
                "missed": missed,
                "false_matches": false,
            }
        )
    )
    assert (len(positives), len(negatives)) == (33, 224)
    assert missed == []
    assert false == []
