"""The FFmpeg argv builders, checked without running FFmpeg."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldcast.media import ffmpeg_commands as commands
from fieldcast.media.probe import MOV_FORMAT, ProbeResult

LADDER = (
    commands.Rung("1080p", 1080, 5_000_000, 128_000),
    commands.Rung("720p", 720, 2_800_000, 128_000),
    commands.Rung("480p", 480, 1_400_000, 96_000),
    commands.Rung("360p", 360, 800_000, 96_000),
    commands.Rung("240p", 240, 400_000, 64_000),
)
OPTIONS = commands.TranscodeOptions(
    ladder=LADDER, segment_seconds=4, preset="veryfast", max_pixels=4096 * 4096
)


def _probe(**overrides: object) -> ProbeResult:
    values: dict = {
        "format_name": MOV_FORMAT,
        "width": 1280,
        "height": 720,
        "duration_seconds": 60.0,
        "frame_rate": 30.0,
        "has_audio": True,
        "video_codec": "h264",
        "stream_count": 2,
    }
    values.update(overrides)
    return ProbeResult(**values)


def _option(argv: list[str], name: str, occurrence: int = 0) -> str:
    positions = [i for i, arg in enumerate(argv) if arg == name]
    return argv[positions[occurrence] + 1]


def _command(probe: ProbeResult) -> list[str]:
    renditions = commands.plan_renditions(width=probe.width, height=probe.height, ladder=LADDER)
    return commands.transcode_command(
        ffmpeg_binary="/usr/bin/ffmpeg",
        source=Path("/work/source"),
        probe=probe,
        renditions=renditions,
        out_dir=Path("/work/out"),
        options=OPTIONS,
    )


def test_plan_renditions_never_goes_above_the_source() -> None:
    # given a 720p landscape source
    # when
    renditions = commands.plan_renditions(width=1280, height=720, ladder=LADDER)
    # then
    assert [r.as_dict() for r in renditions] == [
        {"name": "720p", "height": 720, "width": 1280, "bandwidth": 2_928_000,
         "playlist": "720p/index.m3u8"},
        {"name": "480p", "height": 480, "width": 854, "bandwidth": 1_496_000,
         "playlist": "480p/index.m3u8"},
        {"name": "360p", "height": 360, "width": 640, "bandwidth": 896_000,
         "playlist": "360p/index.m3u8"},
        {"name": "240p", "height": 240, "width": 426, "bandwidth": 464_000,
         "playlist": "240p/index.m3u8"},
    ]  # fmt: skip


def test_plan_renditions_uses_the_short_side_of_portrait_video() -> None:
    # given a phone held upright: 1080x1920
    # when
    renditions = commands.plan_renditions(width=1080, height=1920, ladder=LADDER)
    # then
    assert [(r.name, r.width, r.height) for r in renditions] == [
        ("1080p", 1080, 1920),
        ("720p", 720, 1280),
        ("480p", 480, 854),
        ("360p", 360, 640),
        ("240p", 240, 426),
    ]


def test_plan_renditions_keeps_one_rendition_at_source_size_below_the_lowest_rung() -> None:
    # given a source smaller than 240p
    # when
    renditions = commands.plan_renditions(width=320, height=180, ladder=LADDER)
    # then
    assert [(r.name, r.width, r.height, r.video_bitrate) for r in renditions] == [
        ("180p", 320, 180, 400_000)
    ]


@pytest.mark.parametrize(
    ("source_rate", "expected"),
    [(None, 30.0), (0.0, 30.0), (25.0, 25.0), (29.97, 29.97), (60.0, 60.0), (120.0, 60.0),
     (100.0, 50.0), (240.0, 60.0)],
)  # fmt: skip
def test_output_frame_rate_is_constant_and_at_most_60(
    source_rate: float | None, expected: float
) -> None:
    # given / when
    rate = commands.output_frame_rate(source_rate)
    # then
    assert rate == expected


def test_transcode_command_forces_the_probed_demuxer_and_local_protocols_only() -> None:
    # given
    probe = _probe()
    # when
    argv = _command(probe)
    # then: input options come before -i and name the demuxer the probe allowed
    input_at = argv.index("-i")
    assert argv[0] == "/usr/bin/ffmpeg"
    assert argv[input_at + 1] == "/work/source"
    assert _option(argv, "-f") == MOV_FORMAT
    assert argv.index("-f") < input_at
    assert _option(argv, "-protocol_whitelist") == "file,pipe"
    assert argv.index("-protocol_whitelist") < input_at
    assert _option(argv, "-max_pixels") == str(4096 * 4096)
    assert argv.count("-i") == 1  # decoded once
    assert _option(argv, "-progress") == "pipe:1"
    assert argv.index("-progress") < input_at  # a global option, before the input
    assert "-nostdin" in argv


def test_transcode_command_splits_one_decode_into_the_whole_ladder() -> None:
    # given a 720p30 source with sound
    probe = _probe()
    # when
    argv = _command(probe)
    # then
    graph = _option(argv, "-filter_complex")
    assert graph.count("[0:v]") == 1
    assert "[0:v]fps=fps=30.0" in graph
    assert "split=6" in graph  # 4 renditions + poster + thumbnails
    assert "[0:a]asplit=4" in graph
    for size in ("1280:720", "854:480", "640:360", "426:240"):
        assert f"scale={size}" in graph
    assert _option(argv, "-var_stream_map") == (
        "v:0,a:0,name:720p v:1,a:1,name:480p v:2,a:2,name:360p v:3,a:3,name:240p"
    )
    assert _option(argv, "-maxrate:v:0") == "2800000"
    assert _option(argv, "-maxrate:v:3") == "400000"
    assert _option(argv, "-b:a:3") == "64000"
    assert _option(argv, "-c:v") == "libx264"
    assert _option(argv, "-c:a") == "aac"
    assert _option(argv, "-f", 1) == "hls"
    assert _option(argv, "-master_pl_name") == "master.m3u8"
    assert _option(argv, "-hls_time") == "4"
    assert _option(argv, "-hls_playlist_type") == "vod"
    assert _option(argv, "-hls_segment_filename") == "/work/out/%v/seg_%05d.ts"
    assert "/work/out/%v/index.m3u8" in argv


def test_transcode_command_aligns_keyframes_on_segment_boundaries() -> None:
    # given 25 fps and 4 s segments
    probe = _probe(frame_rate=25.0)
    # when
    argv = _command(probe)
    # then: a keyframe every 100 frames exactly, no scene-cut keyframes in between
    assert _option(argv, "-g") == "100"
    assert _option(argv, "-keyint_min") == "100"
    assert _option(argv, "-sc_threshold") == "0"


def test_transcode_command_strips_metadata_from_every_output() -> None:
    # given
    probe = _probe()
    # when
    argv = _command(probe)
    # then: three outputs (HLS, poster, thumbnails), each with metadata and chapters dropped
    outputs = ["/work/out/%v/index.m3u8", "/work/out/poster.jpg", "/work/out/thumbnails.jpg"]
    assert [arg for arg in argv if arg in outputs] == outputs
    assert argv.count("-map_metadata") == 3
    assert {_option(argv, "-map_metadata", n) for n in range(3)} == {"-1"}
    assert _option(argv, "-map_chapters") == "-1"


def test_transcode_command_without_audio_maps_video_only() -> None:
    # given a silent source
    probe = _probe(has_audio=False, width=640, height=360)
    # when
    argv = _command(probe)
    # then
    assert "asplit" not in _option(argv, "-filter_complex")
    assert "-c:a" not in argv
    assert _option(argv, "-var_stream_map") == "v:0,name:360p v:1,name:240p"


def test_transcode_command_poster_and_thumbnail_strip() -> None:
    # given a 60 s clip
    probe = _probe()
    # when
    argv = _command(probe)
    # then: poster at 2 s at the top rendition's size; a tile every 2 s, 10 columns
    graph = _option(argv, "-filter_complex")
    assert "select=gte(t\\,2.0)*eq(selected_n\\,0)" in graph
    assert "fps=fps=1/2.0" in graph
    assert "scale=160:90" in graph
    assert "tile=10x4" in graph


def test_thumbnail_grid_caps_the_number_of_tiles() -> None:
    # given a two-hour video
    # when
    grid = commands.thumbnail_grid(duration=7200.0, width=1920, height=1080)
    # then
    assert grid == commands.ThumbnailGrid(
        interval=72.0, count=100, columns=10, rows=11, tile_width=160, tile_height=90
    )


def test_thumbnails_vtt_points_each_interval_at_its_tile() -> None:
    # given a 5 s clip: tiles at 0, 2 and 4 s
    grid = commands.thumbnail_grid(duration=5.0, width=320, height=240)
    # when
    vtt = commands.thumbnails_vtt(grid=grid, duration=5.0, image_url="thumbnails.jpg")
    # then
    assert vtt == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:02.000\nthumbnails.jpg#xywh=0,0,160,120\n\n"
        "00:00:02.000 --> 00:00:04.000\nthumbnails.jpg#xywh=160,0,160,120\n\n"
        "00:00:04.000 --> 00:00:05.000\nthumbnails.jpg#xywh=320,0,160,120\n"
    )


def test_download_remux_command_copies_ts_from_stdin_into_faststart_mp4() -> None:
    # given / when
    argv = commands.download_remux_command(
        ffmpeg_binary="/usr/bin/ffmpeg", out_file=Path("/work/out/download.mp4")
    )
    # then
    assert argv[-1] == "/work/out/download.mp4"
    assert _option(argv, "-f") == "mpegts"
    assert _option(argv, "-i") == "pipe:0"
    assert _option(argv, "-protocol_whitelist") == "file,pipe"
    assert _option(argv, "-c") == "copy"
    assert _option(argv, "-movflags") == "+faststart"
    assert _option(argv, "-map_metadata") == "-1"
