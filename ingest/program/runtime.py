"""One running program: its clock, what is on air, the render thread, the encoder and viewers.

A `ProgramRuntime` has its own clock (the program's fps): every tick it asks its on-air policy
(`ingest.program.on_air`) what is on air, given a frozen `SourceSample` of every live source (the
source's newest frame, the slate, a clip, or both sides of a fade), sends the studio the reports
that decision returned, renders one picture and one tick of audio in its own thread, and hands
them to the encoder (HLS) and to the WHEP viewers. A source that stalls never stalls the program:
the runtime notices on its own clock, shows the slate (or the standby source) at once, then tells
the studio (auto cut-away); when the source is back for a few seconds it asks the studio to cut
back.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import av
from av.video.reformatter import VideoReformatter
from channels.layers import get_channel_layer
from django.core.files.storage import default_storage
from django.utils.translation import gettext

from fieldcast.core import events as core_events
from fieldcast.media.ffmpeg_binary import ffmpeg_path
from ingest.media.background import spawn
from ingest.media.pipeline import SourceSample
from ingest.media.registry import live_ingest
from ingest.program import graphics
from ingest.program.audio import AudioFollower
from ingest.program.compositor import ClipPlayer, Scaler
from ingest.program.encoder import ProgramEncoder
from ingest.program.graphics import Planes
from ingest.program.groups import studio_group
from ingest.program.hls import HlsUploader, remux_recording
from ingest.program.on_air import Cutaway, CutawayReport, Decision, OnAir, Report, Target
from ingest.program.reporting import ProgramReporter

logger = logging.getLogger(__name__)

LATE_LIMIT_SECONDS = 0.5  # further behind than this, the clock skips ticks (counted as dropped)
STATS_SECONDS = 1.0
VIEWER_MAX_WIDTH = 640
VIEWER_CLOCK = 90000  # WHEP monitors get at most this width (one extra scale for all of them)
SLATE_TITLE = "Fieldcast"


class ProgramViewer(Protocol):
    """A WHEP monitor: gets every program picture and tick of audio."""

    def push(self, frame: av.VideoFrame, audio: bytes) -> None: ...

    def close(self) -> None: ...


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
        self.on_air = OnAir()
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
        recording = self.uploader.recording_path
        loop = asyncio.get_running_loop()
        path = await loop.run_in_executor(
            self._pool,
            lambda: remux_recording(
                ffmpeg=ffmpeg_path(),
                source=recording,
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
        sources = {
            source_id: runtime.sample() for source_id, runtime in live_ingest().runtimes.items()
        }
        decision = self.decide(now, sources)
        self.send_reports(decision.reports)
        target, lower_third = decision.target, decision.lower_third
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
                old = self._gather(self.fade.old, now, sources, with_audio=False)
        self._drop_unused()
        current = self._gather(target, now, sources, with_audio=True)
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
    @property
    def cutaway(self) -> Cutaway | None:
        """The automatic cut-away in progress, if any."""
        return self.on_air.cutaway

    def decide(self, now: float, sources: Mapping[int, SourceSample]) -> Decision:
        """The target on air this tick, whether the lower third may show over it, and the
        reports for the studio (the caller sends them: `send_reports`)."""
        return self.on_air.decide(self.state, now, sources)

    def send_reports(self, reports: Iterable[Report]) -> None:
        """Tell the studio in the background: a slow database never holds up a tick."""
        for report in reports:
            if isinstance(report, CutawayReport):
                spawn(self._report_cutaway(report.cutaway), name=f"program-cutaway-{self.slug}")
            else:
                spawn(
                    self._report_cutback(report.cutaway, report.seq),
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
        self.on_air.cutback_sent(cutaway)

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
        self, target: Target, now: float, sources: Mapping[int, SourceSample], *, with_audio: bool
    ) -> _Input:
        item = _Input(target=target)
        kind, ref = target
        if kind == "source":
            sample = sources.get(ref)
            if sample is not None:
                item.frame = sample.latest_frame
                if with_audio:
                    item.audio = self._new_audio(ref, sample.recent_audio)
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
