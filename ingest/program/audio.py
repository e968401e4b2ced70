"""Program audio: follows the picture's input, 48 kHz stereo s16, silence when there is none.

Every program tick takes exactly `samples_per_tick` samples, so audio and video timestamps of
the program stay in step by construction whatever the sources do. A small FIFO absorbs the
jitter of the input; it is refilled before playing again after running dry, and trimmed when it
grows (a source that sends faster than real time must not add delay).
"""

from __future__ import annotations

from collections.abc import Iterable

import av

RATE = 48000
CHANNELS = 2
BYTES_PER_SAMPLE = 2 * CHANNELS  # s16, interleaved


class AudioFollower:
    """Not thread-safe: used from the program's render thread only."""

    def __init__(self, fps: int, *, prebuffer_ticks: int = 2, max_ticks: int = 8) -> None:
        if RATE % fps:
            raise ValueError("the frame rate must divide 48000")
        self.samples_per_tick = RATE // fps
        self.tick_bytes = self.samples_per_tick * BYTES_PER_SAMPLE
        self.silence = bytes(self.tick_bytes)
        self._prebuffer = prebuffer_ticks * self.tick_bytes
        self._max = max_ticks * self.tick_bytes
        self._fifo = bytearray()
        self._owner: object = None
        self._resampler: av.AudioResampler | None = None
        self._playing = False
        self.underruns = 0

    def feed(self, owner: object, frames: Iterable[av.AudioFrame]) -> None:
        """Audio of the input now on air (`owner` identifies it: a new owner starts afresh)."""
        if owner != self._owner:
            self._owner = owner
            self._fifo.clear()
            self._resampler = None
            self._playing = False
        for frame in frames:
            if self._resampler is None:
                self._resampler = av.AudioResampler(format="s16", layout="stereo", rate=RATE)
            for chunk in self._resampler.resample(frame):
                self._fifo += bytes(chunk.planes[0])[: chunk.samples * BYTES_PER_SAMPLE]
        if len(self._fifo) > self._max:
            del self._fifo[: len(self._fifo) - self._prebuffer]

    def take(self) -> bytes:
        """One tick of samples."""
        if not self._playing:
            if len(self._fifo) < self._prebuffer:
                return self.silence
            self._playing = True
        if len(self._fifo) >= self.tick_bytes:
            out = bytes(self._fifo[: self.tick_bytes])
            del self._fifo[: self.tick_bytes]
            return out
        self.underruns += 1
        out = bytes(self._fifo) + bytes(self.tick_bytes - len(self._fifo))
        self._fifo.clear()
        self._playing = False
        return out
