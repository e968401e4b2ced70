"""Each command builder run through real FFmpeg on a tiny generated clip."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from fieldcast.media import ffmpeg_commands as commands
from fieldcast.media.ffmpeg_binary import ffmpeg_path, ffprobe_path
from fieldcast.media.probe import MOV_FORMAT, ProbeResult, probe_source
from fieldcast.videos import transcoding
from tests.integration.media.clips import make_clip, phone_tag_args

# Tags FFmpeg itself writes; anything else in an output came from the phone.
HARMLESS_TAGS = {"encoder", "handler_name", "vendor_id", "language", "major_brand",
                 "minor_version", "compatible_brands"}  # fmt: skip


def _ffprobe(path: Path) -> dict:
    probe = ffprobe_path()
    assert probe is not None, "the tests need ffprobe (Debian's ffmpeg package)"
    completed = subprocess.run(
        [probe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         "-show_chapters", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(completed.stdout)


def _keyframe_times(path: Path) -> list[float]:
    probe = ffprobe_path()
    assert probe is not None
    completed = subprocess.run(
        [probe, "-v", "error", "-select_streams", "v:0", "-skip_frame", "nokey",
         "-show_entries", "frame=pts_time", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [round(float(line.strip(",")), 2) for line in completed.stdout.split()]


@pytest.fixture(scope="module")
def transcoded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """A 5 s 640x360 phone clip through transcode_command and download_remux_command."""
    work = tmp_path_factory.mktemp("transcode")
    source = make_clip(work / "phone.mp4", seconds=5, size="640x360", extra=phone_tag_args())
    probe = probe_source(source)
    options = commands.TranscodeOptions(
        ladder=(
            commands.Rung("360p", 360, 800_000, 96_000),
            commands.Rung("240p", 240, 400_000, 64_000),
        ),
        segment_seconds=2,
        preset="ultrafast",
        max_pixels=4096 * 4096,
    )
    renditions = commands.plan_renditions(width=640, height=360, ladder=options.ladder)
    out = work / "out"
    out.mkdir()
    argv = commands.transcode_command(
        ffmpeg_binary=ffmpeg_path(),
        source=source,
        probe=probe,
        renditions=renditions,
        out_dir=out,
        options=options,
    )
    progress: list[float] = []
    transcoding.run_ffmpeg(
        argv, duration=probe.duration_seconds, on_progress=progress.append, log=work / "log"
    )
    transcoding._remux_download(out / "360p", out / commands.DOWNLOAD, log=work / "remux.log")
    return out, progress


def test_transcode_command_writes_master_and_every_rendition(transcoded) -> None:
    # given / when
    out, progress = transcoded
    # then
    master = (out / "master.m3u8").read_text()
    assert "RESOLUTION=640x360" in master
    assert "RESOLUTION=426x240" in master
    assert master.index("360p/index.m3u8") < master.index("240p/index.m3u8")
    for name in ("360p", "240p"):
        segments = sorted(p.name for p in (out / name).glob("seg_*.ts"))
        assert segments == ["seg_00000.ts", "seg_00001.ts", "seg_00002.ts"]
    assert progress  # -progress pipe:1 was parsed
    assert progress[-1] == 1.0


def test_transcode_command_aligns_segments_and_keyframes_across_renditions(transcoded) -> None:
    # given
    out, _progress = transcoded
    # when
    durations = {
        name: [
            line for line in (out / name / "index.m3u8").read_text().splitlines()
            if line.startswith("#EXTINF")
        ]
        for name in ("360p", "240p")
    }  # fmt: skip
    keyframes = {
        name: [_keyframe_times(out / name / f"seg_{n:05d}.ts")[0] for n in range(3)]
        for name in ("360p", "240p")
    }
    # then: 2 s segments that start on a keyframe at the same instant in both renditions
    assert (
        durations["360p"] == durations["240p"] == ["#EXTINF:2.000000,"] * 2 + ["#EXTINF:1.000000,"]
    )
    assert keyframes["360p"] == keyframes["240p"]
    assert [
        round(b - a, 2) for a, b in zip(keyframes["360p"], keyframes["360p"][1:], strict=False)
    ] == [
        2.0,
        2.0,
    ]


def test_transcode_command_outputs_carry_no_phone_metadata(transcoded) -> None:
    # given
    out, _progress = transcoded
    outputs = [out / "360p/seg_00000.ts", out / "240p/seg_00002.ts", out / "poster.jpg",
               out / "thumbnails.jpg", out / "download.mp4"]  # fmt: skip
    for path in outputs:
        # when
        info = _ffprobe(path)
        # then
        tags = dict(info["format"].get("tags", {}))
        for stream in info["streams"]:
            tags.update(stream.get("tags", {}))
            assert stream.get("side_data_list", []) == []
        assert set(tags) <= HARMLESS_TAGS, (path.name, tags)
        assert info["chapters"] == []
        data = path.read_bytes()
        for value in (b"+51.5007", b"iPhone", b"Apple", b"2026-11-20", b"back camera"):
            assert value not in data, (path.name, value)


def test_poster_and_thumbnail_strip_have_the_planned_sizes(transcoded) -> None:
    # given a 5 s 640x360 clip: poster at full size; tiles of 160x90, one every 2 s
    out, _progress = transcoded
    # when
    poster = _ffprobe(out / "poster.jpg")["streams"][0]
    strip = _ffprobe(out / "thumbnails.jpg")["streams"][0]
    # then: 3 tiles in a 3x2 grid (one spare row)
    assert (poster["width"], poster["height"]) == (640, 360)
    assert (strip["width"], strip["height"]) == (480, 180)


def test_download_remux_is_a_faststart_mp4_of_the_top_rendition(transcoded) -> None:
    # given
    out, _progress = transcoded
    # when
    info = _ffprobe(out / "download.mp4")
    data = (out / "download.mp4").read_bytes()
    # then
    assert info["format"]["format_name"] == "mov,mp4,m4a,3gp,3g2,mj2"
    assert float(info["format"]["duration"]) == pytest.approx(5.0, abs=0.1)
    assert [(s["codec_name"], s.get("width")) for s in info["streams"]] == [
        ("h264", 640),
        ("aac", None),
    ]
    assert data.index(b"moov") < data.index(b"mdat")


def test_portrait_phone_video_is_rotated_and_laddered_by_its_short_side(
    tmp_path: Path,
) -> None:
    # given a 320x240 clip stored sideways with a 90 degree display rotation, as phones do
    stored = make_clip(tmp_path / "stored.mp4", seconds=2)
    source = tmp_path / "portrait.mp4"
    subprocess.run(
        [ffmpeg_path(), "-v", "error", "-i", str(stored), "-c", "copy",
         "-metadata:s:v:0", "rotate=90", str(source)],
        check=True,
    )  # fmt: skip
    probe = probe_source(source)
    options = commands.TranscodeOptions.from_settings()
    renditions = commands.plan_renditions(
        width=probe.width, height=probe.height, ladder=options.ladder
    )
    out = tmp_path / "out"
    out.mkdir()
    argv = commands.transcode_command(
        ffmpeg_binary=ffmpeg_path(), source=source, probe=probe, renditions=renditions,
        out_dir=out, options=options,
    )  # fmt: skip
    # when
    transcoding.run_ffmpeg(
        argv, duration=probe.duration_seconds, on_progress=None, log=tmp_path / "l"
    )
    # then: displayed upright, 240 wide and 320 tall, with no rotation left in the output
    assert (probe.width, probe.height, probe.rotation) == (240, 320, 90)
    assert [(r.name, r.width, r.height) for r in renditions] == [("240p", 240, 320)]
    stream = _ffprobe(out / "240p" / "seg_00000.ts")["streams"][0]
    assert (stream["width"], stream["height"]) == (240, 320)
    assert stream.get("side_data_list", []) == []


def test_a_playlist_forced_through_the_mp4_demuxer_reads_nothing_else(tmp_path: Path) -> None:
    # given a local video, and an HLS playlist pointing at it that somehow got past the sniffer
    secret = make_clip(tmp_path / "secret.ts", seconds=2, extra=["-f", "mpegts"])
    playlist = tmp_path / "clip.mp4"
    playlist.write_text(
        f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n{secret}\n#EXT-X-ENDLIST\n"
    )
    probe = ProbeResult(format_name=MOV_FORMAT, width=320, height=240, duration_seconds=2.0,
                        frame_rate=25.0, has_audio=True, video_codec="h264", stream_count=2)  # fmt: skip
    options = commands.TranscodeOptions.from_settings()
    renditions = commands.plan_renditions(width=320, height=240, ladder=options.ladder)
    out = tmp_path / "out"
    out.mkdir()
    argv = commands.transcode_command(
        ffmpeg_binary=ffmpeg_path(), source=playlist, probe=probe, renditions=renditions,
        out_dir=out, options=options,
    )  # fmt: skip
    # when FFmpeg runs with the demuxer forced to mov
    with pytest.raises(transcoding.TranscodeFailed):
        transcoding.run_ffmpeg(argv, duration=2.0, on_progress=None, log=tmp_path / "log")
    # then it refused the file and wrote no media
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == []
