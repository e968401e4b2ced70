"""Recording a live source to one file across reconnects (blocking PyAV work, run in a thread).

Frames are re-encoded to H.264 in fragmented MP4: a file cut short by a crash is still readable,
and every frame is stamped with the wall-clock time since the source started, so a reconnect
leaves a gap in the timeline rather than a jump. The first frame fixes the size; later frames of
another size (a phone switching quality preset) are scaled to it.
"""

from __future__ import annotations

import logging
import time
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.video.stream

logger = logging.getLogger(__name__)

TIME_BASE = Fraction(1, 1000)


class Recorder:
    """Not thread-safe: call it from one thread (the source's recording executor)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._container: av.container.OutputContainer | None = None
        self._stream: av.video.stream.VideoStream | None = None
        self._started: float | None = None
        self._last_pts = -1
        self.frames = 0
        self.failed = False

    def _open(self, width: int, height: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        container = av.open(
            str(self.path),
            mode="w",
            format="mp4",
            options={"movflags": "frag_keyframe+empty_moov+default_base_moof"},
        )
        stream = container.add_stream("libx264", rate=30)
        stream.width = width - width % 2
        stream.height = height - height % 2
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = TIME_BASE
        stream.options = {"preset": "ultrafast", "tune": "zerolatency", "crf": "26", "g": "60"}
        self._container = container
        self._stream = stream

    def write(self, frame: av.VideoFrame, at: float | None = None) -> None:
        """Encode one decoded frame received at monotonic time `at`."""
        if self.failed:
            return
        at = time.monotonic() if at is None else at
        try:
            if self._container is None:
                self._open(frame.width, frame.height)
                self._started = at
            assert self._stream is not None  # noqa: S101 - opened above
            assert self._started is not None  # noqa: S101
            pts = int((at - self._started) * 1000)
            if pts <= self._last_pts:
                pts = self._last_pts + 1
            self._last_pts = pts
            out = frame.reformat(
                width=self._stream.width, height=self._stream.height, format="yuv420p"
            )
            out.pts = pts
            out.time_base = TIME_BASE
            for packet in self._stream.encode(out):
                self._container.mux(packet)  # type: ignore[union-attr]
            self.frames += 1
        except Exception:
            # A broken recording must not take the live source down with it.
            logger.exception(
                "recording %s failed; the rest of this source is not recorded", self.path
            )
            self.failed = True
            self._close_quietly()

    def close(self) -> Path | None:
        """Flush and close; the path of a playable file, or None when nothing was recorded."""
        if self._container is None or self._stream is None:
            # Never opened, or failed part-way (what was written before is still playable).
            return self.path if self.frames and self.path.exists() else None
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
        except Exception:
            logger.exception("closing recording %s failed", self.path)
            self._close_quietly()
        self._container = None
        if self.frames == 0 or not self.path.exists():
            return None
        return self.path

    def _close_quietly(self) -> None:
        try:
            if self._container is not None:
                self._container.close()
        except Exception:  # noqa: S110 - already failing; the first error was logged
            pass
        self._container = None
