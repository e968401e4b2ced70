"""One running live source in the media loop: latest frame, preview, stats, recording.

A `SourceRuntime` lives from the first publish of a LiveSource to its end, across reconnects:
each publishing session (a WHIP peer connection, later an RTMP/SRT connection) feeds it frames.
Blocking codec work (JPEG previews, H.264 recording) runs in threads; the database is reached
only through the `SourceReporter`.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
from av.video.reformatter import VideoReformatter
from PIL import Image

from ingest.events import send_media_event
from ingest.media.background import spawn
from ingest.media.recording import Recorder
from ingest.media.reporting import SourceReporter

logger = logging.getLogger(__name__)

PREVIEW_SIZE = (320, 180)
FREEZE_GAP_SECONDS = 0.5  # a gap this long between two frames counts as a freeze
STATS_INTERVAL_SECONDS = 1.0
STORE_STATS_EVERY = 5  # stats intervals between two writes of the stats to the database
MAX_RECORDING_BACKLOG = 60  # frames waiting for the encoder before new ones are dropped

# Previews of every source share two threads: a JPEG of 320x180 takes about a millisecond.
_preview_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ingest-preview")


# One scaler per preview thread: `frame.reformat()` uses the frame's own context, which the
# recording and program threads may be using on the same frame at the same time.
_preview_scalers = threading.local()


def encode_preview(frame: av.VideoFrame, size: tuple[int, int] = PREVIEW_SIZE) -> bytes:
    """A letterboxed JPEG of `size` (blocking: call it in a thread)."""
    width, height = size
    scale = min(width / frame.width, height / frame.height)
    scaled_w = max(2, int(frame.width * scale) // 2 * 2)
    scaled_h = max(2, int(frame.height * scale) // 2 * 2)
    scaler = getattr(_preview_scalers, "scaler", None)
    if scaler is None:
        scaler = _preview_scalers.scaler = VideoReformatter()
    # threads=1: swscale's slice threads (one pair per context) are created and freed with the
    # scalers; a fork (ffmpeg subprocesses) racing a thread start can leave the child stuck, and
    # freeing them at interpreter exit has hung. Small frames gain nothing from them.
    image = scaler.reformat(
        frame, width=scaled_w, height=scaled_h, format="rgb24", threads=1
    ).to_image()
    canvas = Image.new("RGB", size)
    canvas.paste(image, ((width - scaled_w) // 2, (height - scaled_h) // 2))
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=70)
    return out.getvalue()


StatsProbe = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class SourceSample:
    """A running source at one moment, as readers outside it see it (the program engine, the
    stall watch): taken by `SourceRuntime.sample()`, never changed afterwards. Times are
    `time.monotonic()` seconds."""

    latest_frame: av.VideoFrame | None = None
    latest_frame_at: float = 0.0
    recent_audio: tuple[av.AudioFrame, ...] = ()
    bitrate_kbps: int | None = None
    packets_at: float = 0.0


class SourceRuntime:
    """Frames in; latest frame, previews, stats and one recording out."""

    def __init__(
        self,
        *,
        source_id: int,
        source_key: str,
        reporter: SourceReporter,
        recordings_dir: Path,
        preview_fps: float,
        on_finished: Callable[[SourceRuntime], None] | None = None,
    ) -> None:
        self.source_id = source_id
        self.source_key = source_key
        self.reporter = reporter
        self.preview_interval = 1.0 / max(0.5, preview_fps)
        self.on_finished = on_finished
        # For the switcher (studio issue): the newest decoded frame and when it arrived.
        self.latest_frame: av.VideoFrame | None = None
        self.latest_frame_at = 0.0
        # For the program engine: recent decoded audio and the last stats (bitrate for cut-away).
        self.recent_audio: deque[av.AudioFrame] = deque(maxlen=50)
        self.last_stats: dict[str, Any] = {}
        self.frames_total = 0
        self.audio_frames = 0
        self.freeze_count = 0
        self.width = 0
        self.height = 0
        self.previews_sent = 0
        self._frame_times: deque[float] = deque(maxlen=120)
        self._session_id = ""
        self._session_first_frame = False
        self._stats_probe: StatsProbe | None = None
        self._last_bytes: tuple[float, int] | None = None
        # When the session's count of received video packets last grew (monotonic; read by the
        # WHIP stall watch: a frozen picture whose packets still arrive is not a gone phone).
        self.packets_at = 0.0
        self._last_packets: int | None = None
        self._recorder = Recorder(recordings_dir / f"{source_key}.mp4")
        self._record_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-rec")
        self._record_backlog = 0
        self.recording_dropped = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._finishing: asyncio.Task[None] | None = None
        self.stop_requested = asyncio.Event()

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._preview_loop(), name=f"preview-{self.source_key}"),
            asyncio.create_task(self._stats_loop(), name=f"stats-{self.source_key}"),
        ]

    def attach(self, *, session_id: str, stats_probe: StatsProbe | None) -> None:
        """A (re)connected session now feeds this source."""
        self._session_id = session_id
        self._session_first_frame = False
        self._stats_probe = stats_probe
        self._last_bytes = None
        self._last_packets = None

    def expect_audio(self) -> None:
        """The publisher sends audio: record it (decided before the recording opens)."""
        self._recorder.with_audio = True

    def sample(self) -> SourceSample:
        """The newest frame and audio, the bitrate and when video packets last arrived."""
        return SourceSample(
            latest_frame=self.latest_frame,
            latest_frame_at=self.latest_frame_at,
            recent_audio=tuple(self.recent_audio),
            bitrate_kbps=self.last_stats.get("bitrate_kbps"),
            packets_at=self.packets_at,
        )

    @property
    def finished(self) -> bool:
        return self._finishing is not None

    def finish(self) -> asyncio.Task[None]:
        """Stop previews and stats, close the recording and hand it over (once)."""
        if self._finishing is None:
            self._finishing = asyncio.create_task(self._finish(), name=f"finish-{self.source_key}")
        return self._finishing

    async def _finish(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        loop = asyncio.get_running_loop()
        path = await loop.run_in_executor(self._record_pool, self._recorder.close)
        self._record_pool.shutdown(wait=False)
        self.latest_frame = None
        try:
            await self.reporter.recording_finished(
                source_id=self.source_id, path=str(path) if path else None
            )
        except Exception:
            logger.exception("handing over the recording of source %s failed", self.source_id)
        if self.on_finished is not None:
            self.on_finished(self)

    # --- frames -----------------------------------------------------------------------------
    def on_video_frame(self, frame: av.VideoFrame, session_id: str) -> None:
        if session_id != self._session_id or self.finished:
            return  # a replaced session's last frames
        now = time.monotonic()
        if self.latest_frame_at and now - self.latest_frame_at > FREEZE_GAP_SECONDS:
            self.freeze_count += 1
        self.latest_frame = frame
        self.latest_frame_at = now
        self.frames_total += 1
        self.width, self.height = frame.width, frame.height
        self._frame_times.append(now)
        if not self._session_first_frame:
            self._session_first_frame = True
            spawn(self._report_first_frame(session_id), name=f"first-frame-{session_id}")
        if self._record_backlog >= MAX_RECORDING_BACKLOG:
            self.recording_dropped += 1
            return
        self._record_backlog += 1
        future = asyncio.get_running_loop().run_in_executor(
            self._record_pool, self._recorder.write, frame, now
        )
        future.add_done_callback(self._recorded)

    def on_audio_frame(self, session_id: str, frame: av.AudioFrame | None = None) -> None:
        if session_id != self._session_id or self.finished:
            return
        self.audio_frames += 1
        if frame is not None:
            self.recent_audio.append(frame)
        if frame is None or self._record_backlog >= MAX_RECORDING_BACKLOG:
            return
        self._record_backlog += 1
        future = asyncio.get_running_loop().run_in_executor(
            self._record_pool, self._recorder.write_audio, frame, time.monotonic()
        )
        future.add_done_callback(self._recorded)

    def _recorded(self, _future: asyncio.Future[None]) -> None:
        self._record_backlog -= 1

    async def _report_first_frame(self, session_id: str) -> None:
        try:
            await self.reporter.first_frame(source_id=self.source_id, session_id=session_id)
        except Exception:
            logger.exception("reporting the first frame of source %s failed", self.source_id)

    # --- previews and stats -----------------------------------------------------------------
    async def _preview_loop(self) -> None:
        loop = asyncio.get_running_loop()
        sent_for = 0.0
        while True:
            await asyncio.sleep(self.preview_interval)
            frame, at = self.latest_frame, self.latest_frame_at
            if frame is None or at == sent_for:
                continue
            sent_for = at
            try:
                jpeg = await loop.run_in_executor(_preview_pool, encode_preview, frame)
                await send_media_event(
                    source_key=self.source_key,
                    event={
                        "type": "source.preview",
                        "source": self.source_key,
                        "jpeg": base64.b64encode(jpeg).decode(),
                        "seq": self.previews_sent,
                    },
                    to_reporter=False,
                )
                self.previews_sent += 1
            except Exception:
                logger.exception("preview of source %s failed", self.source_id)

    def frame_stats(self) -> dict[str, Any]:
        now = time.monotonic()
        recent = [t for t in self._frame_times if now - t <= 2.0]
        fps = round((len(recent) - 1) / (recent[-1] - recent[0]), 1) if len(recent) > 1 else 0.0
        return {
            "fps": fps,
            "width": self.width,
            "height": self.height,
            "frames": self.frames_total,
            "freezes": self.freeze_count,
            "last_frame_age": round(now - self.latest_frame_at, 2)
            if self.latest_frame_at
            else None,
            "recording_dropped": self.recording_dropped,
        }

    async def stats(self) -> dict[str, Any]:
        stats = self.frame_stats()
        stats.update(bitrate_kbps=None, packets_lost=None, packet_loss=None, rtt_ms=None)
        if self._stats_probe is not None:
            try:
                transport = await self._stats_probe()
            except Exception:
                transport = {}
            now = time.monotonic()
            received = transport.get("bytes_received")
            if received is not None:
                if self._last_bytes is not None and now > self._last_bytes[0]:
                    delta = received - self._last_bytes[1]
                    stats["bitrate_kbps"] = round(delta * 8 / 1000 / (now - self._last_bytes[0]))
                self._last_bytes = (now, received)
            lost, got = transport.get("packets_lost"), transport.get("packets_received")
            if got is not None and got != self._last_packets:
                self._last_packets, self.packets_at = got, now
            if lost is not None and got is not None:
                stats["packets_lost"] = lost
                stats["packet_loss"] = round(lost / max(1, lost + got), 4)
            stats["rtt_ms"] = transport.get("rtt_ms")
        return stats

    async def _stats_loop(self) -> None:
        ticks = 0
        while True:
            await asyncio.sleep(STATS_INTERVAL_SECONDS)
            ticks += 1
            try:
                stats = await self.stats()
                self.last_stats = stats
                await send_media_event(
                    source_key=self.source_key,
                    event={"type": "source.stats", "source": self.source_key, "stats": stats},
                    to_reporter=True,
                )
                state = await self.reporter.state(source_id=self.source_id)
                if state in ("ended", "rejected", "killed"):
                    # An editor (maybe in another process) stopped it, or it ended elsewhere.
                    self.stop_requested.set()
                    return
                if ticks % STORE_STATS_EVERY == 0:
                    await self.reporter.stats(source_id=self.source_id, stats=stats)
            except Exception:
                logger.exception("stats of source %s failed", self.source_id)
