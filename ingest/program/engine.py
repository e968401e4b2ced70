"""The program engine: one `ProgramRuntime` per running program, inside the ingest process.

`ProgramEngine` listens on the channel-layer group `program-engine` for the studio's
`program.command` events (the whole state of one program, applied newest `seq` first) and
starts, updates and stops runtimes. At start-up it loads the running programs itself, so a
restarted ingest resumes them.

A `ProgramRuntime` has its own clock (the program's fps): every tick it picks what is on air
(the source's newest frame, the slate, a clip, or both sides of a fade), renders one picture and
one tick of audio in its own thread, and hands them to the encoder (HLS) and to the WHEP
viewers. A source that stalls never stalls the program: the runtime notices on its own clock,
shows the slate (or the standby source) at once, then tells the studio (auto cut-away); when
the source is back for a few seconds it asks the studio to cut back.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import os
import shutil
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import av
from av.video.reformatter import VideoReformatter
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.translation import gettext

from fieldcast.core import events as core_events
from fieldcast.media.ffmpeg_binary import ffmpeg_path
from ingest.media.background import spawn
from ingest.media.pipeline import SourceRuntime
from ingest.media.whip import live_ingest
from ingest.program import graphics
from ingest.program.audio import AudioFollower
from ingest.program.compositor import ClipPlayer, Scaler
from ingest.program.encoder import ProgramEncoder
from ingest.program.graphics import Planes
from ingest.program.hls import HlsUploader, remux_recording
from ingest.program.reporting import ProgramReporter, ServiceProgramReporter
from ingest.program.services import ENGINE_GROUP, studio_group

logger = logging.getLogger(__name__)

RECOVER_SECONDS = 3.0  # a cut-away source must be healthy this long before the cut back
LATE_LIMIT_SECONDS = 0.5  # further behind than this, the clock skips ticks (counted as dropped)
STATS_SECONDS = 1.0
SHUTDOWN_HANDOVER_SECONDS = 60.0
VIEWER_MAX_WIDTH = 640
VIEWER_CLOCK = 90000  # WHEP monitors get at most this width (one extra scale for all of them)
SLATE_TITLE = "Fieldcast"

# What is on air: ("source", id), ("slate", storage name or None), ("video", storage name).
Target = tuple[str, Any]


class ProgramViewer(Protocol):
    """A WHEP monitor: gets every program picture and tick of audio."""

    def push(self, frame: av.VideoFrame, audio: bytes) -> None: ...

    def close(self) -> None: ...


@dataclass
class Cutaway:
    """An automatic cut-away in progress: the source that failed and the state it failed in."""

    from_id: int
    seq: int
    reason: str
    healthy_since: float | None = None
    cutback_reported: bool = False


@dataclass
class Fade:
    old: Target
    started: float
    duration: float


@dataclass
class _Input:
    """What the render thread needs for one target (references only, gathered in the loop)."""

    target: Target
    frame: av.VideoFrame | None = None
    planes: Planes | None = None
    audio: list[av.AudioFrame] = field(default_factory=list)


def work_root() -> Path:
    return Path(settings.PROGRAM_WORK_DIR)


def storage_media_url(name: str) -> str:
    """Something PyAV can open for a storage object: a local path, or a (signed) URL."""
    try:
        return str(default_storage.path(name))
    except NotImplementedError:
        return str(default_storage.url(name))


class ProgramRuntime:
    def __init__(
        self, state: dict[str, Any], *, reporter: ProgramReporter, root: Path, node: str = ""
    ) -> None:
        self.slug: str = state["slug"]
        self.node = node  # the engine's ingest process, named in its reports
        self.width = int(state["width"]) // 2 * 2
        self.height = int(state["height"]) // 2 * 2
        self.fps = int(state.get("fps") or 25)
        self.state = state
        self.reporter = reporter
        self.run_id = f"{int(time.time())}{uuid.uuid4().hex[:4]}"
        self.work_dir = root / self.slug / self.run_id
        self.viewers: set[ProgramViewer] = set()
        self.target: Target | None = None
        self.cutaway: Cutaway | None = None
        self.fade: Fade | None = None
        self.last_picture: Planes | None = None
        self.ticks = 0
        self.dropped = 0
        self.encoder_restarts = 0
        self.started_at = 0.0
        self.encoder: ProgramEncoder | None = None
        self.uploader: HlsUploader | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"program-{self.slug}")
        self._audio = AudioFollower(self.fps)
        self._scalers: dict[Target, Scaler] = {}
        self._viewer_scaler = VideoReformatter()  # one swscale context, kept (made per call else)
        self._slates: dict[str | None, Planes] = {}
        self._slate_loading: set[str] = set()
        self._clips: dict[str, ClipPlayer] = {}
        self._clip_started: dict[str, float] = {}
        self._audio_seen: dict[int, av.AudioFrame | None] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._render_seconds = 0.0
        # Called in the render thread with every program picture (benchmarks, diagnostics).
        self.on_picture: Callable[[Planes], None] | None = None

    # --- lifecycle --------------------------------------------------------------------------
    def _new_encoder(self, run_id: str) -> ProgramEncoder:
        return ProgramEncoder(
            ffmpeg=ffmpeg_path(),
            width=self.width,
            height=self.height,
            fps=self.fps,
            out_dir=self.work_dir,
            run_id=run_id,
        )

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.encoder = await loop.run_in_executor(self._pool, self._new_encoder, self.run_id)
        self.uploader = HlsUploader(
            slug=self.slug, work_dir=self.work_dir, rungs=self.encoder.rungs, fps=self.fps
        )
        self.uploader.start()
        self.started_at = time.monotonic()
        self._load_slate(self.state.get("slate_path"))
        self._tasks = [
            asyncio.create_task(self._clock(), name=f"program-{self.slug}"),
            asyncio.create_task(self._stats_loop(), name=f"program-stats-{self.slug}"),
        ]

    def update(self, state: dict[str, Any]) -> None:
        """A newer state from the studio: applied at the next tick."""
        self.state = state
        self._load_slate(state.get("slate_path"))

    def needs_restart(self, state: dict[str, Any]) -> bool:
        return (
            int(state["width"]) // 2 * 2,
            int(state["height"]) // 2 * 2,
            int(state.get("fps") or 25),
        ) != (
            self.width,
            self.height,
            self.fps,
        )

    async def stop(self) -> asyncio.Task[Any]:
        """Stop the clock, let FFmpeg finish, upload the last files; the recording is handed over
        in the background (remux and copy can take a while): the returned task."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for viewer in list(self.viewers):
            viewer.close()
        self.viewers.clear()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._pool, self._close_outputs)
        return spawn(self._hand_over_recording(), name=f"program-recording-{self.slug}")

    def _close_outputs(self) -> None:
        for clip in self._clips.values():
            clip.close()
        self._clips.clear()
        if self.encoder is not None:
            self.encoder.close()
        if self.uploader is not None:
            self.uploader.stop()

    async def _hand_over_recording(self) -> None:
        if self.uploader is None:
            return
        loop = asyncio.get_running_loop()
        path = await loop.run_in_executor(
            self._pool,
            lambda: remux_recording(
                ffmpeg=ffmpeg_path(),
                source=self.uploader.recording_path,  # type: ignore[union-attr]
                target=self.work_dir / "recording.mp4",
            ),
        )
        self._pool.shutdown(wait=False)
        if path is not None:
            try:
                await self.reporter.recording_finished(slug=self.slug, path=str(path))
            except Exception:
                logger.exception("handing over the recording of program %s failed", self.slug)
        await loop.run_in_executor(None, shutil.rmtree, self.work_dir, True)

    # --- the clock --------------------------------------------------------------------------
    async def _clock(self) -> None:
        loop = asyncio.get_running_loop()
        period = 1.0 / self.fps
        start = loop.time()
        index = 0
        while True:
            index += 1
            delay = start + index * period - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            elif -delay > LATE_LIMIT_SECONDS:
                skipped = int(-delay / period)
                self.dropped += skipped
                index += skipped
            try:
                await self._tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("program %s tick failed", self.slug)

    async def _tick(self) -> None:
        now = time.monotonic()
        runtimes = live_ingest().runtimes
        target, lower_third = self.decide(now, runtimes)
        if target != self.target:
            self._switch(target, now, automatic=self._automatic(target))
        alpha = 1.0
        old: _Input | None = None
        if self.fade is not None:
            alpha = (now - self.fade.started) / self.fade.duration
            if alpha >= 1.0 or self.fade.old == target:
                self.fade = None
                alpha = 1.0
            else:
                old = self._gather(self.fade.old, now, runtimes, with_audio=False)
        self._drop_unused()
        current = self._gather(target, now, runtimes, with_audio=True)
        overlay = self._lower_third() if lower_third else None
        want_frame = bool(self.viewers)
        loop = asyncio.get_running_loop()
        picture, frame, audio = await loop.run_in_executor(
            self._pool, self._render, current, old, alpha, overlay, want_frame
        )
        self.ticks += 1
        if self.encoder is not None:
            self.encoder.submit(picture, audio)
        if frame is not None:
            for viewer in list(self.viewers):
                viewer.push(frame, audio)

    # --- what is on air ---------------------------------------------------------------------
    def _healthy(
        self, source_id: int | None, now: float, runtimes: dict[int, SourceRuntime]
    ) -> str:
        """ "" when the source gives pictures, else why not (for the studio's log)."""
        if source_id is None:
            return gettext("no source")
        runtime = runtimes.get(source_id)
        if runtime is None or runtime.latest_frame is None:
            return gettext("the source is not connected")
        after = float(self.state.get("cutaway_after_seconds") or 1.0)
        age = now - runtime.latest_frame_at
        if age > after:
            return gettext("no picture for %(seconds).1f s") % {"seconds": age}
        min_kbps = int(self.state.get("cutaway_min_kbps") or 0)
        kbps = runtime.last_stats.get("bitrate_kbps")
        if min_kbps > 0 and kbps is not None and kbps < min_kbps:
            return gettext("bitrate %(kbps)s kbit/s under %(min)s kbit/s") % {
                "kbps": kbps,
                "min": min_kbps,
            }
        return ""

    def _slate_target(self) -> Target:
        return ("slate", self.state.get("slate_path"))

    def _fallback(self, now: float, runtimes: dict[int, SourceRuntime]) -> Target:
        standby = self.state.get("standby_source_id")
        if standby is not None and not self._healthy(standby, now, runtimes):
            return ("source", standby)
        return self._slate_target()

    def _recovered(self, cutaway: Cutaway, now: float, runtimes: dict[int, SourceRuntime]) -> bool:
        if self._healthy(cutaway.from_id, now, runtimes):
            cutaway.healthy_since = None
            return False
        if cutaway.healthy_since is None:
            cutaway.healthy_since = now
        return now - cutaway.healthy_since >= RECOVER_SECONDS

    def decide(self, now: float, runtimes: dict[int, SourceRuntime]) -> tuple[Target, bool]:
        """The target on air this tick, and whether the lower third may show over it."""
        state = self.state
        seq = int(state["seq"])
        cutaway = self.cutaway
        if state["mode"] == "source" and state.get("source"):
            source_id = int(state["source"]["id"])
            problem = self._healthy(source_id, now, runtimes)
            if cutaway is not None and cutaway.from_id == source_id and cutaway.seq == seq:
                # Cut away here, the studio has not answered yet (or could not be reached).
                if self._recovered(cutaway, now, runtimes):
                    self.cutaway = None
                    return ("source", source_id), True
                return self._fallback(now, runtimes), False
            if not problem:
                if cutaway is not None:
                    if source_id == state.get("standby_source_id") and cutaway.from_id != source_id:
                        self._watch_recovery(cutaway, now, runtimes)  # on standby
                    else:
                        self.cutaway = None
                return ("source", source_id), True
            self.cutaway = Cutaway(from_id=source_id, seq=seq, reason=problem)
            spawn(self._report_cutaway(self.cutaway), name=f"program-cutaway-{self.slug}")
            return self._fallback(now, runtimes), False
        if cutaway is not None:
            self._watch_recovery(cutaway, now, runtimes)
        if state["mode"] == "video" and state.get("video_path"):
            return ("video", state["video_path"]), False
        return self._slate_target(), False

    def _watch_recovery(
        self, cutaway: Cutaway, now: float, runtimes: dict[int, SourceRuntime]
    ) -> None:
        if cutaway.cutback_reported or not self._recovered(cutaway, now, runtimes):
            return
        cutaway.cutback_reported = True
        spawn(
            self._report_cutback(cutaway, int(self.state["seq"])),
            name=f"program-cutback-{self.slug}",
        )

    async def _report_cutaway(self, cutaway: Cutaway) -> None:
        try:
            await self.reporter.auto_cutaway(
                slug=self.slug, seq=cutaway.seq, reason=cutaway.reason, node=self.node
            )
        except Exception:
            logger.exception("reporting the cut-away of program %s failed", self.slug)

    async def _report_cutback(self, cutaway: Cutaway, seq: int) -> None:
        try:
            await self.reporter.auto_cutback(slug=self.slug, seq=seq, node=self.node)
        except Exception:
            logger.exception("reporting the cut back of program %s failed", self.slug)
        if self.cutaway is cutaway:
            self.cutaway = None

    def _automatic(self, target: Target) -> bool:
        """A switch the engine made itself (cut-away, cut back): always a cut."""
        return self.cutaway is not None

    def _switch(self, target: Target, now: float, *, automatic: bool) -> None:
        transition = self.state.get("transition") or {}
        duration = float(transition.get("duration_ms") or 0) / 1000
        if (
            not automatic
            and self.target is not None
            and transition.get("kind") == "fade"
            and duration > 0
        ):
            self.fade = Fade(old=self.target, started=now, duration=duration)
        else:
            self.fade = None
        if target[0] == "video" and target[1] not in self._clips:
            self._clips[target[1]] = ClipPlayer(storage_media_url(target[1]))
            self._clip_started.pop(target[1], None)
        self.target = target

    def _drop_unused(self) -> None:
        """Forget the scalers and clips of inputs no longer on air (a long program sees many)."""
        live = {t for t in (self.target, self.fade.old if self.fade else None) if t is not None}
        for target in [t for t in self._scalers if t not in live]:
            del self._scalers[target]
        keep = {t[1] for t in live if t[0] == "video"}
        for path in [p for p in self._clips if p not in keep]:
            clip = self._clips.pop(path)
            self._clip_started.pop(path, None)
            self._pool.submit(clip.close)

    def _gather(
        self, target: Target, now: float, runtimes: dict[int, SourceRuntime], *, with_audio: bool
    ) -> _Input:
        item = _Input(target=target)
        kind, ref = target
        if kind == "source":
            runtime = runtimes.get(ref)
            if runtime is not None:
                item.frame = runtime.latest_frame
                if with_audio:
                    item.audio = self._new_audio(ref, runtime.recent_audio)
        elif kind == "video":
            clip = self._clips.get(ref)
            if clip is not None and (ref in self._clip_started or clip.ready()):
                started = self._clip_started.setdefault(ref, now)
                item.frame, audio = clip.advance(now - started)
                item.audio = audio if with_audio else []
            if clip is None or clip.failed or (clip.finished and item.frame is None):
                item.planes = self._slate(
                    self.state.get("slate_path")
                )  # not playable, or played out
            elif item.frame is None and self._scaler(target).scaled == 0:
                item.planes = self._slate(self.state.get("slate_path"))  # still opening
        else:
            item.planes = self._slate(ref)
        return item

    def _new_audio(self, source_id: int, recent: Iterable[av.AudioFrame]) -> list[av.AudioFrame]:
        frames = list(recent)
        last = self._audio_seen.get(source_id)
        self._audio_seen[source_id] = frames[-1] if frames else last
        if last is None:
            return frames[-2:]  # a source just taken: start near now
        for index in range(len(frames) - 1, -1, -1):
            if frames[index] is last:
                return frames[index + 1 :]
        return frames

    def _scaler(self, target: Target) -> Scaler:
        scaler = self._scalers.get(target)
        if scaler is None:
            scaler = self._scalers[target] = Scaler(self.width, self.height)
        return scaler

    # --- slates and graphics ----------------------------------------------------------------
    def _slate(self, path: str | None) -> Planes:
        planes = self._slates.get(path)
        if planes is None and path is not None:
            planes = self._slates.get(None)
        if planes is None:
            planes = graphics.default_slate(
                self.width, self.height, SLATE_TITLE, gettext("We will be right back")
            )
            self._slates[None] = planes
        return planes

    def _load_slate(self, path: str | None) -> None:
        if not path or path in self._slates or path in self._slate_loading:
            return
        self._slate_loading.add(path)
        spawn(self._read_slate(path), name=f"program-slate-{self.slug}")

    async def _read_slate(self, path: str) -> None:
        loop = asyncio.get_running_loop()

        def read() -> Planes:
            with default_storage.open(path, "rb") as handle:
                data = handle.read()
            return graphics.image_slate(data, self.width, self.height)

        try:
            self._slates[path] = await loop.run_in_executor(None, read)
        except Exception:
            logger.exception("the slate %s of program %s could not be read", path, self.slug)
        finally:
            self._slate_loading.discard(path)

    def _lower_third(self) -> graphics.Overlay | None:
        info = self.state.get("lower_third") or {}
        if not info.get("visible"):
            return None
        return graphics.lower_third(
            self.width,
            self.height,
            str(info.get("name") or ""),
            str(info.get("location") or ""),
            str(info.get("story") or ""),
        )

    # --- the render thread ------------------------------------------------------------------
    def _picture(self, item: _Input) -> Planes:
        if item.planes is not None:
            return item.planes
        return self._scaler(item.target).picture(item.frame)

    def _render(
        self,
        current: _Input,
        old: _Input | None,
        alpha: float,
        overlay: graphics.Overlay | None,
        want_frame: bool,
    ) -> tuple[bytes, av.VideoFrame | None, bytes]:
        """One program picture (raw I420), the viewers' frame if any, one tick of audio."""
        began = time.perf_counter()
        picture = self._picture(current)
        if old is not None:
            picture = self._picture(old).blend(picture, max(0.0, min(1.0, alpha)))
        if overlay is not None:
            picture = picture.copy() if old is None else picture
            overlay.apply(picture)
        self._audio.feed(current.target, current.audio)
        audio = self._audio.take()
        data = picture.to_bytes()
        frame = None
        if want_frame:
            frame = picture.to_frame()
            if frame.width > VIEWER_MAX_WIDTH:
                height = frame.height * VIEWER_MAX_WIDTH // frame.width // 2 * 2
                frame = self._viewer_scaler.reformat(
                    frame, width=VIEWER_MAX_WIDTH, height=height, interpolation="FAST_BILINEAR"
                )
            # One clock for every viewer (they share the frame object).
            frame.pts = self.ticks * (VIEWER_CLOCK // self.fps)
            frame.time_base = fractions.Fraction(1, VIEWER_CLOCK)
        self.last_picture = picture
        if self.on_picture is not None:
            self.on_picture(picture)
        self._render_seconds += time.perf_counter() - began
        return data, frame, audio

    # --- stats ------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        elapsed = max(1e-6, time.monotonic() - self.started_at)
        return {
            "ticks": self.ticks,
            "fps": round(self.ticks / elapsed, 1),
            "dropped": self.dropped + (self.encoder.dropped if self.encoder else 0),
            "encoder_lag_frames": self.encoder.backlog if self.encoder else 0,
            "encoder_running": bool(self.encoder and self.encoder.alive),
            "encoder_restarts": self.encoder_restarts,
            "segments": self.uploader.segments_uploaded if self.uploader else 0,
            "whep_viewers": len(self.viewers),
            "on_air": self.target[0] if self.target else None,
            "auto_cutaway": self.cutaway is not None,
            "render_ms": round(1000 * self._render_seconds / max(1, self.ticks), 2),
        }

    async def _restart_encoder_if_dead(self) -> None:
        """FFmpeg died (killed, out of memory): start another; players see new segment names."""
        if self.encoder is None or self.encoder.alive:
            return
        self.encoder_restarts += 1
        logger.error(
            "the encoder of program %s exited (%s); restarting it",
            self.slug,
            self.encoder.process.returncode,
        )
        loop = asyncio.get_running_loop()
        old = self.encoder
        await loop.run_in_executor(self._pool, old.close, 1.0)
        self.encoder = await loop.run_in_executor(
            self._pool, self._new_encoder, f"{self.run_id}r{self.encoder_restarts}"
        )

    async def _stats_loop(self) -> None:
        layer = get_channel_layer()
        while True:
            await asyncio.sleep(STATS_SECONDS)
            try:
                await self._restart_encoder_if_dead()
            except Exception:
                logger.exception("the encoder of program %s could not be restarted", self.slug)
            if layer is None:
                continue
            try:
                await layer.group_send(
                    studio_group(self.slug),
                    {
                        "type": core_events.MESSAGE_TYPE,
                        "event": {"type": "program.stats", "slug": self.slug, **self.stats()},
                    },
                )
            except Exception:
                logger.exception("program %s stats could not be sent", self.slug)


def engine_node_name() -> str:
    """This process among the ingest processes (host and pid, and a nonce for a reused pid)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:100]


class ProgramEngine:
    """Every program runtime of this process, driven by the studio's commands.

    A program runs in one engine at a time: the engine holds a lease on the program's row,
    renewed every third of PROGRAM_ENGINE_LEASE_SECONDS. A running program whose lease another
    process holds waits here, and is taken over once that lease lapses (that process died)."""

    def __init__(
        self,
        reporter: ProgramReporter | None = None,
        root: Path | None = None,
        node: str | None = None,
    ) -> None:
        self.reporter: ProgramReporter = reporter or ServiceProgramReporter()
        self.root = root or work_root()
        self.node = node or engine_node_name()
        self.runtimes: dict[str, ProgramRuntime] = {}
        # Running programs another engine holds: the newest state of each, to take over.
        self.waiting: dict[str, dict[str, Any]] = {}
        self.seqs: dict[str, int] = {}
        # Which program row each slug's seq counts for: a program deleted and made again under the
        # same slug starts its seq afresh, and its old runtime must not carry on.
        self.program_ids: dict[str, int | None] = {}
        self._channel: str | None = None
        self._listener: asyncio.Task[None] | None = None
        self._leases: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Listen for commands and resume the programs that are running (in the process that
        holds the live sources: PROGRAM_ENGINE_ENABLED is off in web replicas)."""
        if self._leases is not None or not settings.PROGRAM_ENGINE_ENABLED:
            return
        self._leases = asyncio.create_task(self._keep_leases(), name="program-engine-leases")
        layer = get_channel_layer()
        if layer is not None:
            # The default prefix on purpose: channels_redis reads every process-local channel of
            # one prefix through one shared receive lock, and a waiting receive on a prefix of its
            # own would hold that lock and starve every websocket consumer in this process.
            self._channel = await layer.new_channel()
            await layer.group_add(ENGINE_GROUP, self._channel)
            self._listener = asyncio.create_task(self._listen(), name="program-engine")
            core_events.ensure_relay()
        try:
            states = await self.reporter.running_states()
        except Exception:
            logger.exception("the running programs could not be loaded")
            states = []
        for state in states:
            await self.apply(state)

    async def _listen(self) -> None:
        layer = get_channel_layer()
        assert layer is not None  # noqa: S101
        assert self._channel is not None  # noqa: S101
        while True:
            message = await layer.receive(self._channel)
            event = message.get("event") or {}
            if event.get("type") != "program.command" or not isinstance(event.get("program"), dict):
                continue
            try:
                await self.apply(event["program"])
            except Exception:
                logger.exception("program command failed")

    async def apply(self, state: dict[str, Any]) -> None:
        """Apply a program's state if it is newer than the last one seen for it."""
        async with self._lock:
            slug = str(state["slug"])
            seq = int(state["seq"])
            program_id = state.get("program_id")
            same_program = self.program_ids.get(slug, program_id) == program_id
            if same_program and seq <= self.seqs.get(slug, -1):
                return
            self.seqs[slug] = seq
            self.program_ids[slug] = program_id
            self.waiting.pop(slug, None)
            runtime = self.runtimes.get(slug)
            if runtime is not None and (
                not same_program or not state["running"] or runtime.needs_restart(state)
            ):
                await self._stop_runtime(slug, release=not same_program or not state["running"])
                runtime = None
            if not state["running"]:
                return
            if runtime is not None:
                runtime.update(state)
            elif await self._claim(state, held=False):
                await self._start_runtime(state)
            else:
                self.waiting[slug] = state
                logger.info("program %s runs in another ingest process; this one stands by", slug)

    async def _start_runtime(self, state: dict[str, Any]) -> None:
        runtime = ProgramRuntime(state, reporter=self.reporter, root=self.root, node=self.node)
        await runtime.start()
        self.runtimes[runtime.slug] = runtime

    async def _stop_runtime(self, slug: str, *, release: bool) -> asyncio.Task[Any]:
        runtime = self.runtimes.pop(slug)
        handover = await runtime.stop()
        program_id = runtime.state.get("program_id")
        if release and program_id is not None:
            try:
                await self.reporter.release(program_id=int(program_id), node=self.node)
            except Exception:
                logger.exception("the lease of program %s could not be released", slug)
        return handover

    async def _claim(self, state: dict[str, Any], *, held: bool) -> bool:
        """Take or renew the program's lease. A database that cannot be reached changes nothing:
        a running program goes on, a waiting one goes on waiting."""
        program_id = state.get("program_id")
        if program_id is None:
            return True  # a state without its row (an old studio's event): nothing to share
        try:
            return await self.reporter.claim(program_id=int(program_id), node=self.node)
        except Exception:
            logger.exception("the lease of program %s could not be renewed", state["slug"])
            return held

    async def _keep_leases(self) -> None:
        while True:
            await asyncio.sleep(float(settings.PROGRAM_ENGINE_LEASE_SECONDS) / 3)
            try:
                await self.renew_leases()
            except Exception:
                logger.exception("program leases could not be kept")

    async def renew_leases(self) -> None:
        """Renew the lease of every program running here, give up one another process took (this
        one stalled past the lease), and take over waiting programs whose holder went away."""
        async with self._lock:
            for slug, runtime in list(self.runtimes.items()):
                if not await self._claim(runtime.state, held=True):
                    # Taken over (this process stalled past its lease), or stopped or deleted
                    # while a command was lost: either way it is no longer ours to run.
                    logger.warning("program %s is no longer this ingest process's to run", slug)
                    await self._stop_runtime(slug, release=False)
                    self.waiting[slug] = runtime.state
            for slug, state in list(self.waiting.items()):
                if await self._claim(state, held=False):
                    del self.waiting[slug]
                    logger.info("program %s taken over by this ingest process", slug)
                    await self._start_runtime(state)

    async def stop(self) -> None:
        """Shutdown: stop listening, stop every runtime (recordings are handed over)."""
        layer = get_channel_layer()
        for task in (self._listener, self._leases):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._listener = self._leases = None
        if layer is not None and self._channel is not None:
            await layer.group_discard(ENGINE_GROUP, self._channel)
            self._channel = None
        async with self._lock:
            self.waiting.clear()
            handovers = [
                await self._stop_runtime(slug, release=True) for slug in list(self.runtimes)
            ]
        # Shutdown: the recordings are handed over before the process goes.
        if handovers:
            await asyncio.wait(handovers, timeout=SHUTDOWN_HANDOVER_SECONDS)


_engines: dict[asyncio.AbstractEventLoop, ProgramEngine] = {}


def program_engine() -> ProgramEngine:
    """This event loop's engine (one per process in production; tests run a loop per test)."""
    loop = asyncio.get_running_loop()
    engine = _engines.get(loop)
    if engine is None:
        for stale in [other for other in _engines if other.is_closed()]:
            del _engines[stale]
        engine = _engines[loop] = ProgramEngine()
    return engine
