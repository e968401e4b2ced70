"""A refused upload says the real reason: a readable but tiny picture is not "damaged"."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldcast.media.probe import SourceRefused, probe_source
from tests.integration.media.clips import make_clip

pytestmark = pytest.mark.integration


def test_a_valid_1x1_h264_clip_is_refused_as_too_small_with_the_minimum(tmp_path: Path) -> None:
    # given a valid H.264 clip of one pixel (4:4:4, which H.264 allows at odd sizes)
    clip = make_clip(
        tmp_path / "dot.mp4",
        seconds=1,
        size="1x1",
        audio=False,
        extra=["-pix_fmt", "yuv444p"],
    )

    # when / then
    with pytest.raises(SourceRefused) as refusal:
        probe_source(clip)
    assert str(refusal.value) == (
        "This video's picture is 1×1 pixels; we accept at least 16×16. Please upload the "
        "recording at its original size."
    )


def test_a_clip_at_the_minimum_size_is_accepted(tmp_path: Path) -> None:
    # given
    clip = make_clip(tmp_path / "small.mp4", seconds=1, size="16x16", audio=False)

    # when
    result = probe_source(clip)

    # then
    assert (result.width, result.height) == (16, 16)
