"""A worker SIGKILLed mid-transcode: the task is redelivered and ends with exactly one HLS set.

Real Celery workers in subprocesses, on the configured broker (the filesystem broker in the
embedded mode, Redis in the scaled one) and storage; the whole worker (main process, pool child,
FFmpeg) is killed at once, as when a machine dies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from fieldcast.videos import transcoding
from fieldcast.videos.models import Video
from fieldcast.videos.tasks import transcode_video
from tests.factories import VideoFactory
from tests.integration.media.clips import make_clip
from tests.processes import ROOT, process_env

pytestmark = pytest.mark.integration


def _wait_for(
    condition: Callable[[], bool], *, timeout: float, what: str, logs: list[Path]
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            text = "\n".join(log.read_text(errors="replace")[-3000:] for log in logs)
            pytest.fail(f"timed out waiting for {what}\n{text}")
        time.sleep(0.2)


def _processes_mentioning(needle: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if needle.encode() in cmdline:
            found.append(int(entry))
    return found


def _one_hls_set(*, segments: int) -> list[str]:
    """Every key of one finished version 1 with a 360p + 240p ladder."""
    names = [f"v1/{name}/seg_{n:05d}.ts" for name in ("240p", "360p") for n in range(segments)]
    names += ["v1/240p/index.m3u8", "v1/360p/index.m3u8", "v1/download.mp4", "v1/master.m3u8",
              "v1/poster.jpg", "v1/thumbnails.jpg", "v1/thumbnails.vtt"]  # fmt: skip
    return sorted(names)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its closing paren
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


class _Worker(subprocess.Popen[bytes]):
    """A Celery worker process, with the file its output goes to."""

    log: Path


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., _Worker]]:
    workers: list[_Worker] = []

    def start(queue: str, **env_overrides: str) -> _Worker:
        env = process_env(**env_overrides)
        log = tmp_path / f"worker-{len(workers)}.log"
        with log.open("wb") as out:
            worker = _Worker(
                [sys.executable, "-m", "celery", "-A", "fieldcast", "worker",
                 "--queues", queue, "--concurrency", "1", "--pool", "prefork",
                 "--loglevel", "INFO", "--hostname", f"{queue}-{len(workers)}@%h",
                 "--without-mingle", "--without-gossip", "--without-heartbeat"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg takes all of it
            )  # fmt: skip
        worker.log = log
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()


def test_a_worker_killed_mid_transcode_is_replaced_and_the_task_finishes_once(
    transactional_db: None, start_worker, tmp_path: Path
) -> None:
    # given an uploaded 20 s 640x360 clip (ladder 360p + 240p)
    clip = make_clip(tmp_path / "clip.mp4", seconds=20, size="640x360")
    key = default_storage.save(f"uploads/{uuid.uuid4()}/clip.mp4", ContentFile(clip.read_bytes()))
    video = VideoFactory(state="uploaded", source_key=key, source_name="clip.mp4")
    queue = f"transcode-test-{uuid.uuid4().hex[:8]}"
    # and a worker slow enough (x264 veryslow) that the kill lands while FFmpeg encodes
    first = start_worker(queue, TRANSCODE_PRESET="veryslow")
    transcode_video.apply_async(args=[video.pk], queue=queue)
    _wait_for(
        lambda: Video.objects.get(pk=video.pk).progress > 0,
        timeout=120,
        what="transcode progress",
        logs=[first.log],
    )
    encoders = _processes_mentioning(str(video.key))
    assert encoders  # FFmpeg is running on this video

    # when the whole worker is SIGKILLed
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    _wait_for(
        lambda: not set(encoders) & set(_processes_mentioning(str(video.key))),
        timeout=10,
        what="FFmpeg to die with its worker",
        logs=[first.log],
    )
    killed = Video.objects.get(pk=video.pk)
    assert killed.state == "processing"
    assert 0 < killed.progress < 100
    # and a new worker starts (on Redis, unacked messages come back after the visibility timeout)
    second = start_worker(queue, BROKER_VISIBILITY_TIMEOUT="5")
    _wait_for(
        lambda: Video.objects.get(pk=video.pk).state != "processing",
        timeout=180,
        what="the redelivered task to finish",
        logs=[first.log, second.log],
    )

    # then the task was redelivered and finished: one complete HLS set, nothing else
    video.refresh_from_db()
    prefix = f"videos/{video.key}/"
    assert (video.state, video.version, video.output_prefix) == (
        "pending_review",
        1,
        prefix + "v1/",
    )
    stored = sorted(k.removeprefix(prefix) for k in transcoding.storage_keys_under(prefix))
    assert stored == _one_hls_set(segments=5)
    assert "transcode_video" in second.log.read_text()  # the second worker ran it
    # scratch files go right after the database update (the task's `finally`)
    _wait_for(
        lambda: not (Path(settings.TRANSCODE_WORK_DIR) / str(video.key)).exists(),
        timeout=30,
        what="the work directory to be removed",
        logs=[second.log],
    )
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        # acknowledged (acks_late: just after the task returns), nothing left to redeliver
        unacked = settings.BROKER_DIR / "unacked"
        _wait_for(
            lambda: not [name for name in os.listdir(unacked) if queue in name],
            timeout=30,
            what="the acknowledgement",
            logs=[second.log],
        )
        assert [name for name in os.listdir(settings.BROKER_DIR / "queue") if queue in name] == []


def test_a_pool_process_killed_mid_transcode_is_requeued_by_its_worker(
    transactional_db: None, start_worker, tmp_path: Path
) -> None:
    # given an uploaded 8 s 640x360 clip and a worker slow enough for the kill to land mid-encode
    clip = make_clip(tmp_path / "clip.mp4", seconds=8, size="640x360")
    key = default_storage.save(f"uploads/{uuid.uuid4()}/clip.mp4", ContentFile(clip.read_bytes()))
    video = VideoFactory(state="uploaded", source_key=key, source_name="clip.mp4")
    queue = f"transcode-test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue, TRANSCODE_PRESET="veryslow")
    transcode_video.apply_async(args=[video.pk], queue=queue)
    _wait_for(
        lambda: Video.objects.get(pk=video.pk).progress > 0,
        timeout=120,
        what="transcode progress",
        logs=[worker.log],
    )
    encoders = _processes_mentioning(str(video.key))
    [pool_process] = _children(worker.pid)
    # when only the pool process running the task is SIGKILLed (as the OOM killer would)
    os.kill(pool_process, signal.SIGKILL)
    # then its FFmpeg dies with it (PR_SET_PDEATHSIG)
    _wait_for(
        lambda: not set(encoders) & set(_processes_mentioning(str(video.key))),
        timeout=10,
        what="FFmpeg to die with its pool process",
        logs=[worker.log],
    )
    # and the worker requeues the task (reject_on_worker_lost), which then finishes once
    _wait_for(
        lambda: Video.objects.get(pk=video.pk).state != "processing",
        timeout=240,
        what="the requeued task to finish",
        logs=[worker.log],
    )
    video.refresh_from_db()
    prefix = f"videos/{video.key}/"
    assert (video.state, video.version) == ("pending_review", 1)
    stored = sorted(k.removeprefix(prefix) for k in transcoding.storage_keys_under(prefix))
    assert stored == _one_hls_set(segments=2)
    assert "WorkerLostError" in worker.log.read_text()
