"""Pure builders of FFmpeg command lines: probe result + options -> argv. Nothing here runs FFmpeg.

The transcode is ONE FFmpeg process that decodes the original once and feeds a `split`: every HLS
rendition (scale -> libx264, plus its own AAC encode of an `asplit` audio branch, all muxed by one
`hls` output with `var_stream_map` and a master playlist), the poster and the thumbnail strip.
Keyframes are forced every `fps * segment` frames with scene-cut detection off, on a constant
frame rate set before the split, so every rendition cuts its segments at the same instants.

The download MP4 is not encoded again: `download_remux_command` copies the top rendition's
MPEG-TS segments (piped in, in order; TS is concatenable) into a faststart MP4.

The graph is built with ffmpeg-python (`.compile()` gives the argv). Two things it cannot say are
added as plain arguments: global options before the first input (`-nostdin`, `-progress`), which
ffmpeg-python only appends after the outputs, and the argv of the remux, which reads `pipe:0`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg
from django.conf import settings

from fieldcast.media.probe import PROTOCOL_WHITELIST, ProbeResult

MASTER_PLAYLIST = "master.m3u8"
POSTER = "poster.jpg"
THUMBNAILS = "thumbnails.jpg"
THUMBNAILS_VTT = "thumbnails.vtt"
DOWNLOAD = "download.mp4"
SEGMENT_PATTERN = "seg_%05d.ts"
MAX_FRAME_RATE = 60.0
THUMBNAIL_WIDTH = 160
THUMBNAIL_COLUMNS = 10
MAX_THUMBNAILS = 100
MIN_THUMBNAIL_INTERVAL = 2.0


@dataclass(frozen=True)
class Rung:
    """One step of the settings ladder; `height` is the short side (portrait videos too)."""

    name: str
    height: int
    video_bitrate: int
    audio_bitrate: int


@dataclass(frozen=True)
class Rendition:
    """One HLS variant to produce."""

    name: str
    width: int
    height: int
    video_bitrate: int
    audio_bitrate: int

    @property
    def playlist(self) -> str:
        return f"{self.name}/index.m3u8"

    @property
    def bandwidth(self) -> int:
        return self.video_bitrate + self.audio_bitrate

    def as_dict(self) -> dict[str, Any]:
        """The `renditions` item `video_processing_succeed` stores."""
        return {
            "name": self.name,
            "height": self.height,
            "width": self.width,
            "bandwidth": self.bandwidth,
            "playlist": self.playlist,
        }


@dataclass(frozen=True)
class TranscodeOptions:
    """The settings a transcode depends on, gathered once so builders stay pure."""

    ladder: tuple[Rung, ...]
    segment_seconds: int
    preset: str
    max_pixels: int

    @classmethod
    def from_settings(cls) -> TranscodeOptions:
        return cls(
            ladder=tuple(
                Rung(
                    name=str(r["name"]),
                    height=int(r["height"]),
                    video_bitrate=int(r["video_bitrate"]),
                    audio_bitrate=int(r["audio_bitrate"]),
                )
                for r in settings.TRANSCODE_LADDER
            ),
            segment_seconds=settings.TRANSCODE_SEGMENT_SECONDS,
            preset=settings.TRANSCODE_PRESET,
            max_pixels=settings.TRANSCODE_MAX_WIDTH * settings.TRANSCODE_MAX_HEIGHT,
        )


@dataclass(frozen=True)
class ThumbnailGrid:
    """How the thumbnail strip is laid out: one tile every `interval` seconds, row by row."""

    interval: float
    count: int
    columns: int
    rows: int
    tile_width: int
    tile_height: int


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def plan_renditions(*, width: int, height: int, ladder: Sequence[Rung]) -> list[Rendition]:
    """Every rung at or below the source's short side, highest first; never an upscale.

    A source smaller than the lowest rung still gets one rendition, at its own size.
    """
    short, long_ = min(width, height), max(width, height)
    rungs = sorted(ladder, key=lambda r: r.height, reverse=True)
    chosen = [r for r in rungs if r.height <= short]
    if not chosen:
        lowest = rungs[-1]
        chosen = [
            Rung(f"{_even(short)}p", _even(short), lowest.video_bitrate, lowest.audio_bitrate)
        ]
    renditions = []
    for rung in chosen:
        new_short = rung.height
        new_long = _even(long_ * new_short / short)
        w, h = (new_long, new_short) if width >= height else (new_short, new_long)
        renditions.append(Rendition(rung.name, w, h, rung.video_bitrate, rung.audio_bitrate))
    return renditions


def output_frame_rate(frame_rate: float | None) -> float:
    """A constant output rate: the source's, halved until at most 60; 30 when unknown."""
    if not frame_rate or frame_rate <= 0:
        return 30.0
    rate = frame_rate
    while rate > MAX_FRAME_RATE:
        rate /= 2
    return round(rate, 3)


def keyframe_interval(*, frame_rate: float, segment_seconds: int) -> int:
    """Frames between keyframes, so that every segment starts on one in every rendition."""
    return max(1, round(frame_rate * segment_seconds))


def thumbnail_grid(*, duration: float | None, width: int, height: int) -> ThumbnailGrid:
    """At most MAX_THUMBNAILS tiles, at least MIN_THUMBNAIL_INTERVAL seconds apart."""
    if duration and duration > 0:
        interval = max(MIN_THUMBNAIL_INTERVAL, duration / MAX_THUMBNAILS)
        count = max(1, min(MAX_THUMBNAILS, math.ceil(duration / interval)))
    else:
        interval, count = 5.0, MAX_THUMBNAILS
    columns = min(count, THUMBNAIL_COLUMNS)
    # One spare slot: the fps filter may emit one frame more than duration/interval.
    rows = math.ceil((count + 1) / columns)
    return ThumbnailGrid(
        interval=round(interval, 3),
        count=count,
        columns=columns,
        rows=rows,
        tile_width=THUMBNAIL_WIDTH,
        tile_height=_even(THUMBNAIL_WIDTH * height / width),
    )


def poster_time(duration: float | None) -> float:
    """Where the poster frame is taken: past a black first frame, within short clips."""
    if not duration:
        return 0.0
    return round(min(2.0, duration / 3), 3)


def transcode_command(
    *,
    ffmpeg_binary: str,
    source: Path,
    probe: ProbeResult,
    renditions: Sequence[Rendition],
    out_dir: Path,
    options: TranscodeOptions,
) -> list[str]:
    """The one FFmpeg process: decode once -> HLS ladder + master playlist, poster, thumbnails."""
    fps = output_frame_rate(probe.frame_rate)
    gop = keyframe_interval(frame_rate=fps, segment_seconds=options.segment_seconds)
    grid = thumbnail_grid(duration=probe.duration_seconds, width=probe.width, height=probe.height)
    top = renditions[0]

    source_input = ffmpeg.input(
        str(source),
        f=probe.format_name,  # forced: FFmpeg never chooses the demuxer itself
        protocol_whitelist=PROTOCOL_WHITELIST,
        max_pixels=options.max_pixels,  # refuse a mid-stream switch to giant frames
    )
    branches = source_input.video.filter("fps", fps=fps).filter_multi_output(
        "split", len(renditions) + 2
    )
    audio = (
        source_input.audio.filter_multi_output("asplit", len(renditions))
        if probe.has_audio
        else None
    )

    streams: list[Any] = []
    per_stream: dict[str, Any] = {}
    stream_map = []
    for index, rendition in enumerate(renditions):
        streams.append(
            branches.stream(index)
            .filter("scale", rendition.width, rendition.height)
            .filter("format", "yuv420p")
        )
        per_stream[f"maxrate:v:{index}"] = rendition.video_bitrate
        per_stream[f"bufsize:v:{index}"] = rendition.video_bitrate * 2
        if audio is not None:
            streams.append(audio.stream(index))
            per_stream[f"b:a:{index}"] = rendition.audio_bitrate
            stream_map.append(f"v:{index},a:{index},name:{rendition.name}")
        else:
            stream_map.append(f"v:{index},name:{rendition.name}")

    audio_options = {"c:a": "aac", "ac": 2, "ar": 48000} if audio is not None else {}
    hls = ffmpeg.output(
        *streams,
        str(out_dir / "%v" / "index.m3u8"),
        f="hls",
        hls_time=options.segment_seconds,
        hls_playlist_type="vod",
        hls_flags="independent_segments",
        hls_segment_type="mpegts",
        hls_segment_filename=str(out_dir / "%v" / SEGMENT_PATTERN),
        master_pl_name=MASTER_PLAYLIST,
        var_stream_map=" ".join(stream_map),
        map_metadata=-1,
        map_chapters=-1,
        **{
            "c:v": "libx264",
            "preset": options.preset,
            "profile:v": "main",
            "crf": 23,  # capped CRF: simple scenes cost 3G viewers fewer bytes
            "g": gop,
            "keyint_min": gop,
            "sc_threshold": 0,
            **audio_options,
            **per_stream,
        },
    )
    poster = ffmpeg.output(
        branches.stream(len(renditions))
        .filter("select", f"gte(t,{poster_time(probe.duration_seconds)})*eq(selected_n,0)")
        .filter("scale", top.width, top.height),
        str(out_dir / POSTER),
        map_metadata=-1,
        update=1,
        **{"frames:v": 1, "q:v": 3},
    )
    thumbnails = ffmpeg.output(
        branches.stream(len(renditions) + 1)
        # The tile filter only emits a full sheet: hold the last picture long enough that a clip
        # shorter than one interval (a one-second live that an editor stopped) still fills it.
        .filter(
            "tpad",
            stop_mode="clone",
            stop_duration=round(grid.interval * grid.rows * grid.columns, 3),
        )
        .filter("fps", fps=f"1/{grid.interval}")
        .filter("scale", grid.tile_width, grid.tile_height)
        .filter("tile", f"{grid.columns}x{grid.rows}"),
        str(out_dir / THUMBNAILS),
        map_metadata=-1,
        update=1,
        **{"frames:v": 1, "q:v": 5},
    )
    argv: list[str] = ffmpeg.merge_outputs(hls, poster, thumbnails).compile(ffmpeg_binary)
    global_options = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    global_options += ["-progress", "pipe:1", "-nostats"]
    return [argv[0], *global_options, *argv[1:]]


def download_remux_command(*, ffmpeg_binary: str, out_file: Path) -> list[str]:
    """Copy MPEG-TS (the top rendition's segments, written to stdin in order) into a faststart
    MP4. No re-encode: the download costs one pass over bytes already encoded."""
    return [
        ffmpeg_binary,
        "-hide_banner",
        "-y",
        "-loglevel",
        "error",
        "-f",
        "mpegts",
        "-protocol_whitelist",
        PROTOCOL_WHITELIST,
        "-i",
        "pipe:0",
        "-map",
        "0",
        "-c",
        "copy",
        "-bsf:a",
        "aac_adtstoasc",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(out_file),
    ]


def thumbnails_vtt(*, grid: ThumbnailGrid, duration: float | None, image_url: str) -> str:
    """A WebVTT index of the strip (`image#xywh=...` per interval), for player scrub previews."""
    lines = ["WEBVTT", ""]
    end_of_video = duration if duration else grid.interval * grid.count
    for index in range(grid.count):
        start = index * grid.interval
        if start >= end_of_video:
            break
        end = min(start + grid.interval, end_of_video)
        x = (index % grid.columns) * grid.tile_width
        y = (index // grid.columns) * grid.tile_height
        lines += [
            f"{_vtt_time(start)} --> {_vtt_time(end)}",
            f"{image_url}#xywh={x},{y},{grid.tile_width},{grid.tile_height}",
            "",
        ]
    return "\n".join(lines)


def _vtt_time(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"
