"""The transcode pipeline the Celery task runs: fetch, probe, transcode, publish.

Safe to run twice, and safe to be killed at any instant:

* Outputs go to a deterministic prefix `videos/<key>/v<version>/` with `version = video.version + 1`
  (`Video.version` only moves on success, so a retry or a redelivery after a killed worker targets
  the SAME prefix). Before writing, everything already under it (a killed attempt's leftovers) is
  deleted; then every file is uploaded with `master.m3u8` LAST; then `video_processing_succeed`
  points the row at the prefix. Viewers reach outputs only through that row, so nothing
  half-written is ever visible, and the redelivered attempt ends with exactly one HLS set.
* Scratch files live in a work directory named after the video, removed after the attempt (and at
  the start of the next one, if a killed worker left it behind).
* FFmpeg dies with the process that started it (PR_SET_PDEATHSIG), so a SIGKILLed worker does not
  leave an orphan encoder burning CPU.

Errors: a file we refuse or FFmpeg cannot convert fails the video at once with a reason the reporter
can read; storage or database hiccups raise `TransientError`, which the task retries with backoff.
"""

from __future__ import annotations

import ctypes
import logging
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from billiard.exceptions import SoftTimeLimitExceeded
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError
from django.utils.translation import gettext as _

from fieldcast.core.errors import ApplicationError
from fieldcast.media import ffmpeg_commands as commands
from fieldcast.media.ffmpeg_binary import ffmpeg_path
from fieldcast.media.probe import SourceRefused, probe_source
from fieldcast.videos import services
from fieldcast.videos.models import Video

logger = logging.getLogger(__name__)

# Storage, disk and database trouble that may pass: worth a retry.
_TRANSIENT = (DatabaseError, BotoCoreError, ClientError, OSError)
_PROGRESS_MIN_SECONDS = 1.0
_PROGRESS_MIN_STEP = 2
# Encoding is this share of the bar; uploading the outputs is the rest (success sets 100).
_ENCODE_SHARE = 95
_COPY_CHUNK = 1024 * 1024
_PR_SET_PDEATHSIG = 1


class TransientError(Exception):
    """Storage or database unreachable for a moment: the task retries with backoff."""


class TranscodeFailed(Exception):
    """FFmpeg could not convert a file the probe accepted."""


def output_prefix(video: Video, version: int) -> str:
    """Where version `version` of a video's outputs live; the same for every attempt."""
    return f"videos/{video.key}/v{version}/"


def video_transcode(*, video_id: int) -> None:
    """Transcode the video's original and move it to review, or fail it with a readable reason."""
    try:
        video = services.video_processing_start(video_id=video_id)
    except ApplicationError as exc:
        # Deleted, already finished by an earlier delivery, or failed: nothing to do.
        logger.info("transcode of video %s skipped: %s", video_id, exc.message)
        return
    except _TRANSIENT as exc:
        raise TransientError(str(exc)) from exc

    work = _fresh_work_dir(video)
    try:
        _transcode_in(video, work)
    except SourceRefused as exc:
        _fail(video_id, exc.message)
    except TranscodeFailed:
        _fail(
            video_id,
            _(
                "We could not convert this video. The file may be damaged or use a format we "
                "cannot read: please export it again from your phone or camera and upload it."
            ),
        )
    except SoftTimeLimitExceeded:
        _fail(
            video_id,
            _("This video took too long to process. Please upload a shorter clip."),
        )
    except FileNotFoundError:
        _fail(video_id, _("We could not find the uploaded file. Please upload the video again."))
    except _TRANSIENT as exc:
        raise TransientError(str(exc)) from exc
    except TransientError:
        raise
    except Exception:
        # A bug must not leave the video "processing" forever: fail it, keep the traceback.
        logger.exception("transcode of video %s crashed", video_id)
        video_transcode_give_up(video_id=video_id)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def video_transcode_give_up(*, video_id: int) -> None:
    """Mark the video failed after the retries for transient errors ran out."""
    _fail(
        video_id,
        _(
            "We could not process this video because of a problem on our side. "
            "Please try uploading it again later."
        ),
    )


def _fail(video_id: int, reason: str) -> None:
    try:
        services.video_processing_fail(video_id=video_id, reason=reason)
    except ApplicationError as exc:
        logger.info("video %s could not be failed: %s", video_id, exc.message)


def _fresh_work_dir(video: Video) -> Path:
    work = Path(settings.TRANSCODE_WORK_DIR) / str(video.key)
    # Leftovers of a killed attempt on this video: the broker gives a video to one worker at a
    # time (visibility timeout > hard time limit), so nobody else is using them.
    shutil.rmtree(work, ignore_errors=True)
    (work / "out").mkdir(parents=True)
    return work


def _transcode_in(video: Video, work: Path) -> None:
    version = video.version + 1
    prefix = output_prefix(video, version)
    source = _local_source(video, work)
    probe = probe_source(source)
    options = commands.TranscodeOptions.from_settings()
    renditions = commands.plan_renditions(
        width=probe.width, height=probe.height, ladder=options.ladder
    )
    out = work / "out"
    argv = commands.transcode_command(
        ffmpeg_binary=ffmpeg_path(),
        source=source,
        probe=probe,
        renditions=renditions,
        out_dir=out,
        options=options,
    )
    reporter = _ProgressReporter(video.pk)
    run_ffmpeg(argv, duration=probe.duration_seconds, on_progress=reporter, log=work / "ffmpeg.log")
    _remux_download(out / renditions[0].name, out / commands.DOWNLOAD, log=work / "remux.log")
    grid = commands.thumbnail_grid(
        duration=probe.duration_seconds, width=probe.width, height=probe.height
    )
    (out / commands.THUMBNAILS_VTT).write_text(
        commands.thumbnails_vtt(
            grid=grid, duration=probe.duration_seconds, image_url=commands.THUMBNAILS
        )
    )
    _check_outputs(out, renditions)
    publish_outputs(out, prefix)
    services.video_processing_succeed(
        video_id=video.pk,
        version=version,
        output_prefix=prefix,
        renditions=[r.as_dict() for r in renditions],
        poster_key=prefix + commands.POSTER,
        thumbnails_key=prefix + commands.THUMBNAILS,
        download_key=prefix + commands.DOWNLOAD,
        probe=probe.as_service_dict(),
    )


def _local_source(video: Video, work: Path) -> Path:
    """The original as a local file: its own path on local storage, else a copy in `work`."""
    if not video.source_key:
        raise FileNotFoundError(video.source_key)
    try:
        local = Path(default_storage.path(video.source_key))
    except NotImplementedError:
        pass  # remote storage (S3): download below
    else:
        if not local.is_file():
            raise FileNotFoundError(local)
        return local
    target = work / "source"
    if not default_storage.exists(video.source_key):
        raise FileNotFoundError(video.source_key)
    with default_storage.open(video.source_key, "rb") as remote, target.open("wb") as copy:
        shutil.copyfileobj(remote, copy, _COPY_CHUNK)
    return target


def _load_prctl() -> Callable[..., int] | None:
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None  # not Linux: an orphan FFmpeg finishes its scratch work and exits


# Looked up once here, in the parent: between fork and exec the child must not dlopen (the
# loader's lock may be held by another thread of a busy process, and the child would hang).
_prctl = _load_prctl()


def _die_with_parent() -> None:
    """In the FFmpeg child: get SIGKILL when the worker that started us dies."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def run_ffmpeg(
    argv: list[str],
    *,
    duration: float | None,
    on_progress: Callable[[float], None] | None,
    log: Path,
) -> None:
    """Run FFmpeg, feeding `on_progress(fraction)` from `-progress pipe:1`; raise TranscodeFailed."""
    with log.open("wb") as stderr:
        process = subprocess.Popen(  # noqa: S603 - argv built by ffmpeg_commands, no shell
            argv,
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - prctl only
        )
        try:
            assert process.stdout is not None  # noqa: S101 - Popen(stdout=PIPE) guarantees it
            for seconds in _progress_seconds(process.stdout):
                if on_progress is not None and duration:
                    on_progress(min(1.0, seconds / duration))
            returncode = process.wait()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    if returncode != 0:
        tail = log.read_bytes()[-2000:].decode("utf-8", "replace")
        logger.warning("ffmpeg exited with %s: %s", returncode, tail)
        raise TranscodeFailed(tail)


def _progress_seconds(stream: IO[bytes]) -> Iterator[float]:
    """Seconds of output written so far, from FFmpeg's `key=value` progress blocks."""
    for raw in stream:
        key, _sep, value = raw.decode("ascii", "replace").strip().partition("=")
        if key == "out_time_us" and value.isdigit():
            yield int(value) / 1_000_000


class _ProgressReporter:
    """Forwards encode progress to the service at most every second and every 2%."""

    def __init__(self, video_id: int) -> None:
        self.video_id = video_id
        self.last_percent = 0
        self.last_time = 0.0

    def __call__(self, fraction: float) -> None:
        percent = int(fraction * _ENCODE_SHARE)
        now = time.monotonic()
        if (
            percent - self.last_percent < _PROGRESS_MIN_STEP
            or now - self.last_time < _PROGRESS_MIN_SECONDS
        ):
            return
        self.last_percent, self.last_time = percent, now
        try:
            services.video_processing_progress(video_id=self.video_id, percent=percent)
        except DatabaseError:
            # A progress bar that lags is better than a transcode that dies for it.
            logger.warning("progress of video %s not saved", self.video_id, exc_info=True)


def _remux_download(rendition_dir: Path, target: Path, *, log: Path) -> None:
    """Build the download MP4 from the top rendition's segments, without re-encoding."""
    segments = sorted(rendition_dir.glob("seg_*.ts"))
    argv = commands.download_remux_command(ffmpeg_binary=ffmpeg_path(), out_file=target)
    with log.open("wb") as stderr:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - prctl only
        )
        try:
            assert process.stdin is not None  # noqa: S101 - Popen(stdin=PIPE) guarantees it
            with process.stdin:
                for segment in segments:
                    with segment.open("rb") as data:
                        shutil.copyfileobj(data, process.stdin, _COPY_CHUNK)
            returncode = process.wait()
        except BrokenPipeError:
            returncode = process.wait()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    if returncode != 0:
        raise TranscodeFailed(log.read_text(errors="replace")[-2000:])


def _check_outputs(out: Path, renditions: list[commands.Rendition]) -> None:
    expected = [
        out / commands.MASTER_PLAYLIST,
        out / commands.POSTER,
        out / commands.THUMBNAILS,
        out / commands.DOWNLOAD,
    ]
    expected += [out / r.playlist for r in renditions]
    missing = [str(p.relative_to(out)) for p in expected if not p.is_file()]
    if missing:
        raise TranscodeFailed(f"missing outputs: {missing}")


def storage_keys_under(prefix: str) -> list[str]:
    """Every object key under `prefix` in default_storage (recursive)."""
    keys: list[str] = []
    try:
        directories, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return keys
    keys += [prefix + name for name in files]
    for directory in directories:
        keys += storage_keys_under(f"{prefix}{directory}/")
    return keys


def publish_outputs(out: Path, prefix: str) -> list[str]:
    """Replace whatever is under `prefix` with the files of `out`; the master playlist last."""
    for key in storage_keys_under(prefix):
        default_storage.delete(key)
    files = sorted(p for p in out.rglob("*") if p.is_file())
    master = out / commands.MASTER_PLAYLIST
    # Segments before the playlists that list them; the master, the entry point, at the very end.
    ordered = sorted(
        (p for p in files if p != master),
        key=lambda p: (p.suffix == ".m3u8", str(p)),
    ) + [master]
    uploaded = []
    for path in ordered:
        key = prefix + path.relative_to(out).as_posix()
        with path.open("rb") as data:
            saved = default_storage.save(key, File(data, name=path.name))
        if saved != key:
            # Local storage renames on a clash; a clash means someone else writes this prefix.
            default_storage.delete(saved)
            raise TransientError(f"storage saved {key} as {saved}")
        uploaded.append(key)
    return uploaded
