"""Transcode progress: parsed from FFmpeg's -progress output, reported at most every 1 s / 2%."""

from __future__ import annotations

import io

import pytest

from fieldcast.videos import transcoding


def test_progress_seconds_reads_out_time_us_from_progress_blocks() -> None:
    # given two blocks of `ffmpeg -progress pipe:1` output
    output = io.BytesIO(
        b"frame=25\nout_time_us=1000000\nout_time_ms=1000000\nprogress=continue\n"
        b"frame=50\nout_time_us=N/A\nprogress=continue\n"
        b"frame=75\nout_time_us=2500000\nprogress=end\n"
    )
    # when
    seconds = list(transcoding._progress_seconds(output))
    # then
    assert seconds == [1.0, 2.5]


def test_progress_reporter_reports_at_most_every_second_and_every_two_percent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a clock we move by hand
    reported: list[tuple[int, int]] = []
    now = [100.0]
    monkeypatch.setattr(transcoding.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(
        transcoding.services,
        "video_processing_progress",
        lambda *, video_id, percent: reported.append((video_id, percent)),
    )
    reporter = transcoding._ProgressReporter(video_id=5)
    # when FFmpeg reports often, in small steps
    for clock, fraction in [
        (100.5, 0.10),  # 9%: more than 2%, first report
        (100.9, 0.30),  # 28%, but less than a second later: skipped
        (101.6, 0.31),  # 29%: a second later and 2% more than 9%
        (103.0, 0.32),  # 30%: only 1% more: skipped
        (104.0, 1.00),  # encoding done: 95% (uploading fills the rest)
    ]:
        now[0] = clock
        reporter(fraction)
    # then
    assert reported == [(5, 9), (5, 29), (5, 95)]
