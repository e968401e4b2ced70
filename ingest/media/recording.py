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
from av.video.reformatter import VideoReformatter

logger = logging.getLogger(__name__)

TIME_BASE = Fraction(1, 1000)
AUDIO_RATE = 48000


class Recorder:
    """Not thread-safe: call it from one thread (the source's recording executor)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._container: av.container.OutputContainer | None = None
        self._stream: av.video.stream.VideoStream | None = None
        self._started: float | None = None
        self._last_pts = -1
        self._scaler = VideoReformatter()
        self._audio: av.audio.stream.AudioStream | None = None  # AAC, opened with the video
        self._resampler: av.AudioResampler | None = None
        self._audio_next = 0  # next audio pts, in samples
        self.audio_frames = 0
        self._audio_failed = False
        # Set before the first frame when the publisher has an audio track.
        self.with_audio = False
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
        if self.with_audio:
            # Only when the publisher sends audio: an empty audio track upsets later tools.
            audio = container.add_stream("aac", rate=AUDIO_RATE)
            audio.layout = "stereo"
            audio.codec_context.time_base = Fraction(1, AUDIO_RATE)
            self._audio = audio
            self._resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)

    def write(self, frame: av.VideoFrame, at: float | None = None) -> None:
        """Encode one decoded frame received at monotonic time `at`."""
        if self.failed:
            return
        at = time.monotonic() if at is None else at
        try:
            if self._container is None:
                self._open(frame.width, frame.height)
                self._started = at
            assert self._container is not None  # noqa: S101 - opened above
            assert self._stream is not None  # noqa: S101 - opened above
            assert self._started is not None  # noqa: S101
            pts = int((at - self._started) * 1000)
            if pts <= self._last_pts:
                pts = self._last_pts + 1
            self._last_pts = pts
            # A scaler of our own: `frame.reformat()` uses the frame's one context, which the
            # preview and program threads may be using on this same frame right now.
            out = self._scaler.reformat(
                frame,
                width=self._stream.width,
                height=self._stream.height,
                format="yuv420p",
                threads=1,  # no swscale slice threads: see encode_preview
            )
            out.pts = pts
            out.time_base = TIME_BASE
            for packet in self._stream.encode(out):
                self._container.mux(packet)
            self.frames += 1
        except Exception:
            # A broken recording must not take the live source down with it.
            logger.exception(
                "recording %s failed; the rest of this source is not recorded", self.path
            )
            self.failed = True
            self._close_quietly()

    def write_audio(self, frame: av.AudioFrame, at: float | None = None) -> None:
        """Encode decoded audio received at monotonic time `at` (kept once video has started).

        Samples are placed on the same wall clock as the video; within a stream they follow on
        from each other, after a gap they start again at the arrival time."""
        if (
            self.failed
            or self._audio_failed
            or self._audio is None
            or self._resampler is None
            or self._container is None
            or self._started is None
        ):
            return
        at = time.monotonic() if at is None else at
        try:
            wall = int((at - self._started) * AUDIO_RATE)
            for chunk in self._resampler.resample(frame):
                start = self._audio_next
                if wall - start > AUDIO_RATE // 2:  # more than 0.5 s behind: a gap
                    start = wall
                chunk.pts = start
                chunk.time_base = Fraction(1, AUDIO_RATE)
                self._audio_next = start + chunk.samples
                for packet in self._audio.encode(chunk):
                    self._container.mux(packet)
            self.audio_frames += 1
        except Exception:
            # Audio trouble must not stop the picture: record video only from here on.
            logger.exception("audio of recording %s failed; video continues", self.path)
            self._audio_failed = True

    def close(self) -> Path | None:
        """Flush and close; the path of a playable file, or None when nothing was recorded."""
        if self._container is None or self._stream is None:
            # Never opened, or failed part-way (what was written before is still playable).
            return self.path if self.frames and self.path.exists() else None
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            if self._audio is not None:
                for packet in self._audio.encode(None):
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
