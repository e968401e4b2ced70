"""Transcode benchmark: our task vs its bare FFmpeg commands vs one FFmpeg per rendition.

    .venv/bin/python bench/transcode.py [--seconds 60] [--repeat 1] [--work /tmp/fc-bench-transcode]

On a generated 60 s 720p30 clip (lavfi testsrc2 + sine, H.264/AAC MP4) it measures, with the same
renditions (720p, 480p, 360p, 240p from the settings ladder) and the same encoder settings:

  (a) task     fieldcast.videos.transcoding.video_transcode on local storage and SQLite: probe,
               the single decode-once FFmpeg, download remux, upload, database updates;
  (b) bare     the commands (a) issues, run directly: the one FFmpeg (ladder + poster + strip)
               and the download remux;
  (c) per-rung one FFmpeg per rendition (the MediaCMS way), each decoding the source again, plus
               one for the poster and one for the thumbnail strip, and the same download remux.

Wall time and CPU time (user + system, of this process's children via getrusage) for each, and
the ratios. Targets: (a) at least 1.3x faster than (c); (a)'s CPU at most 1.05x (b)'s.
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TypedDict

ROOT = Path(__file__).resolve().parent.parent


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _setup_django(var_dir: Path) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "STORAGE", "CELERY_BROKER_URL", "MEDIA_ROOT"):
        os.environ.pop(name, None)
    os.environ["FIELDCAST_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fieldcast.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def generate_clip(path: Path, seconds: int) -> None:
    from fieldcast.media.ffmpeg_binary import ffmpeg_path

    if path.exists():
        return
    subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30:duration={seconds}",
         "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", str(path)],
        check=True,
    )  # fmt: skip


class TaskMeasure(TypedDict):
    wall: float
    cpu: float
    renditions: list[str]


def measure_task(source: Path, var_dir: Path) -> TaskMeasure:
    """(a), run in a child process so its Django setup is not counted: wall and CPU of the call."""
    from django.core.files import File
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    from fieldcast.accounts.models import User
    from fieldcast.videos import transcoding
    from fieldcast.videos.models import Video

    call_command("migrate", verbosity=0, interactive=False)
    owner, _ = User.objects.get_or_create(email="bench@example.org")
    with source.open("rb") as data:
        key = default_storage.save("uploads/bench/source.mp4", File(data, name="source.mp4"))
    video = Video.objects.create(owner=owner, title="bench", state="uploaded", source_key=key)
    cpu_before = _cpu_self() + _cpu_children()
    wall_before = time.perf_counter()
    transcoding.video_transcode(video_id=video.pk)
    wall = time.perf_counter() - wall_before
    cpu = _cpu_self() + _cpu_children() - cpu_before
    video.refresh_from_db()
    assert video.state == "pending_review", (video.state, video.state_reason)
    renditions = [r["name"] for r in video.renditions]
    default_storage.delete(key)
    for output in transcoding.storage_keys_under(f"videos/{video.key}/"):
        default_storage.delete(output)
    return {"wall": wall, "cpu": cpu, "renditions": renditions}


def _run(argv: list[str], *, stdin_files: list[Path] | None = None) -> None:
    if stdin_files is None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        return
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert process.stdin is not None
    with process.stdin:
        for path in stdin_files:
            with path.open("rb") as data:
                shutil.copyfileobj(data, process.stdin, 1024 * 1024)
    assert process.wait() == 0


def _timed(step: Any) -> dict[str, float]:
    cpu_before = _cpu_children()
    wall_before = time.perf_counter()
    step()
    return {"wall": time.perf_counter() - wall_before, "cpu": _cpu_children() - cpu_before}


def measure_bare(source: Path, out: Path) -> dict[str, float]:
    """(b): the exact commands the task builds, run directly."""
    from fieldcast.media import ffmpeg_commands as commands
    from fieldcast.media.ffmpeg_binary import ffmpeg_path
    from fieldcast.media.probe import probe_source

    probe = probe_source(source)
    options = commands.TranscodeOptions.from_settings()
    renditions = commands.plan_renditions(
        width=probe.width, height=probe.height, ladder=options.ladder
    )
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    encode = commands.transcode_command(
        ffmpeg_binary=ffmpeg_path(), source=source, probe=probe, renditions=renditions,
        out_dir=out, options=options,
    )  # fmt: skip
    remux = commands.download_remux_command(
        ffmpeg_binary=ffmpeg_path(), out_file=out / commands.DOWNLOAD
    )

    def step() -> None:
        _run(encode)
        _run(remux, stdin_files=sorted((out / renditions[0].name).glob("seg_*.ts")))

    return _timed(step)


def per_rendition_commands(source: Path, out: Path) -> tuple[list[list[str]], list[str], Path]:
    """(c): one FFmpeg per rendition with the same encoder settings, poster and strip apart."""
    from fieldcast.media import ffmpeg_commands as commands
    from fieldcast.media.ffmpeg_binary import ffmpeg_path
    from fieldcast.media.probe import PROTOCOL_WHITELIST, probe_source

    probe = probe_source(source)
    options = commands.TranscodeOptions.from_settings()
    renditions = commands.plan_renditions(
        width=probe.width, height=probe.height, ladder=options.ladder
    )
    fps = commands.output_frame_rate(probe.frame_rate)
    gop = commands.keyframe_interval(frame_rate=fps, segment_seconds=options.segment_seconds)
    grid = commands.thumbnail_grid(
        duration=probe.duration_seconds, width=probe.width, height=probe.height
    )
    head = [ffmpeg_path(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
            "-f", probe.format_name, "-protocol_whitelist", PROTOCOL_WHITELIST]  # fmt: skip
    argvs = []
    for rendition in renditions:
        (out / rendition.name).mkdir(parents=True, exist_ok=True)
        argvs.append(
            [*head, "-i", str(source),
             "-vf", f"fps={fps},scale={rendition.width}:{rendition.height},format=yuv420p",
             "-c:v", "libx264", "-preset", options.preset, "-profile:v", "main", "-crf", "23",
             "-maxrate", str(rendition.video_bitrate),
             "-bufsize", str(rendition.video_bitrate * 2),
             "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
             "-c:a", "aac", "-b:a", str(rendition.audio_bitrate), "-ac", "2", "-ar", "48000",
             "-map_metadata", "-1", "-map_chapters", "-1",
             "-f", "hls", "-hls_time", str(options.segment_seconds),
             "-hls_playlist_type", "vod", "-hls_flags", "independent_segments",
             "-hls_segment_filename", str(out / rendition.name / commands.SEGMENT_PATTERN),
             str(out / rendition.name / "index.m3u8")]
        )  # fmt: skip
    top = renditions[0]
    argvs.append(
        [*head, "-ss", str(commands.poster_time(probe.duration_seconds)), "-i", str(source),
         "-vf", f"scale={top.width}:{top.height}", "-frames:v", "1", "-q:v", "3",
         "-map_metadata", "-1", "-update", "1", str(out / commands.POSTER)]
    )  # fmt: skip
    argvs.append(
        [*head, "-i", str(source),
         "-vf", f"fps=1/{grid.interval},scale={grid.tile_width}:{grid.tile_height},"
                f"tile={grid.columns}x{grid.rows}",
         "-frames:v", "1", "-q:v", "5", "-map_metadata", "-1", "-update", "1",
         str(out / commands.THUMBNAILS)]
    )  # fmt: skip
    remux = commands.download_remux_command(
        ffmpeg_binary=ffmpeg_path(), out_file=out / commands.DOWNLOAD
    )
    return argvs, remux, out / top.name


def measure_per_rendition(source: Path, out: Path) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    argvs, remux, top_dir = per_rendition_commands(source, out)

    def step() -> None:
        for argv in argvs:
            _run(argv)
        _run(remux, stdin_files=sorted(top_dir.glob("seg_*.ts")))

    return _timed(step)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "fc-bench-transcode"
    )
    parser.add_argument("--measure-task", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    work: Path = args.work
    var_dir = work / "var"
    _setup_django(var_dir)

    if args.measure_task:  # the child process of (a)
        print(json.dumps(measure_task(args.measure_task, var_dir)))
        return

    work.mkdir(parents=True, exist_ok=True)
    source = work / f"source-{args.seconds}s-720p30.mp4"
    generate_clip(source, args.seconds)

    results: dict[str, list[dict[str, float]]] = {"a_task": [], "b_bare": [], "c_per_rung": []}
    renditions: list[str] = []
    for _ in range(args.repeat):
        child = subprocess.run(
            [sys.executable, __file__, "--work", str(work), "--measure-task", str(source)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        task = json.loads(child.stdout.strip().splitlines()[-1])
        renditions = task.pop("renditions")
        results["a_task"].append(task)
        results["b_bare"].append(measure_bare(source, work / "bare"))
        results["c_per_rung"].append(measure_per_rendition(source, work / "per-rung"))

    best = {name: min(runs, key=lambda r: r["wall"]) for name, runs in results.items()}
    a, b, c = best["a_task"], best["b_bare"], best["c_per_rung"]
    ratios = {
        "c_wall_over_a_wall": round(c["wall"] / a["wall"], 3),
        "a_cpu_over_b_cpu": round(a["cpu"] / b["cpu"], 3),
        "c_cpu_over_a_cpu": round(c["cpu"] / a["cpu"], 3),
        "a_wall_over_b_wall": round(a["wall"] / b["wall"], 3),
    }
    print(f"source: {args.seconds} s 1280x720 30 fps; renditions: {', '.join(renditions)}; "
          f"best of {args.repeat}; {os.cpu_count()} CPUs")  # fmt: skip
    print(f"{'variant':<34}{'wall s':>10}{'CPU s':>10}")
    labels = {
        "a_task": "(a) our task (transcoding.py)",
        "b_bare": "(b) bare FFmpeg commands",
        "c_per_rung": "(c) one FFmpeg per rendition",
    }
    for name, label in labels.items():
        print(f"{label:<34}{best[name]['wall']:>10.2f}{best[name]['cpu']:>10.2f}")
    print(f"(a) is {ratios['c_wall_over_a_wall']:.2f}x faster than (c) (target >= 1.3); "
          f"(a) CPU is {ratios['a_cpu_over_b_cpu']:.3f}x (b)'s (target <= 1.05)")  # fmt: skip
    summary = {
        "bench": "transcode",
        "source": {"seconds": args.seconds, "width": 1280, "height": 720, "fps": 30},
        "renditions": renditions,
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        **{name: {k: round(v, 3) for k, v in r.items()} for name, r in best.items()},
        "ratios": ratios,
        "targets_met": ratios["c_wall_over_a_wall"] >= 1.3 and ratios["a_cpu_over_b_cpu"] <= 1.05,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
