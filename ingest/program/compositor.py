"""Program pictures: letterboxing a source's frames, playing a published clip, blending a fade.

Blocking work (scaling, decoding, blending) runs in the program's own thread, never in the event
loop; the loop only hands over references to the newest frames.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass

import av
import av.container
from av.video.reformatter import VideoReformatter

from ingest.program.graphics import Planes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Box:
    """Where a scaled picture sits in the program picture (all even numbers)."""

    x: int
    y: int
    width: int
    height: int


def letterbox(src_width: int, src_height: int, dst_width: int, dst_height: int) -> Box:
    """The largest box of the source's aspect ratio inside the destination, centred.

    Sizes are rounded down to even numbers (yuv420p) and offsets to even numbers too, so the
    chroma planes line up; a picture of the program's own aspect fills it exactly."""
    if src_width <= 0 or src_height <= 0:
        raise ValueError("source size must be positive")
    scale = min(dst_width / src_width, dst_height / src_height)
    width = min(dst_width, max(2, round(src_width * scale) // 2 * 2))
    height = min(dst_height, max(2, round(src_height * scale) // 2 * 2))
    x = (dst_width - width) // 4 * 2
    y = (dst_height - height) // 4 * 2
    return Box(x, y, width, height)


class Scaler:
    """Scales one input's frames to the program size; repeats the last picture for the same frame.

    One `reformat` per new frame (straight to yuv420p at the box size); letterboxed pictures are
    pasted on a copy of a black canvas kept for the program's lifetime. The scaler has its own
    swscale context: a source's frame is also scaled by its preview and recording threads, and
    `frame.reformat()` would share the frame's one context between those threads."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self._black = Planes.black(width, height)
        self._last_frame: av.VideoFrame | None = None
        self._last: Planes | None = None
        self._reformatter = VideoReformatter()
        self.scaled = 0

    def picture(self, frame: av.VideoFrame | None) -> Planes:
        if frame is None:
            return self._last if self._last is not None else self._black
        if frame is self._last_frame and self._last is not None:
            return self._last
        box = letterbox(frame.width, frame.height, self.width, self.height)
        scaled = self._reformatter.reformat(
            frame, width=box.width, height=box.height, format="yuv420p"
        )
        planes = Planes.from_frame(scaled)
        if (box.width, box.height) != (self.width, self.height):
            canvas = self._black.copy()
            canvas.paste(planes, box.x, box.y)
            planes = canvas
        self._last_frame, self._last = frame, planes
        self.scaled += 1
        return planes


# A decoded frame and when it is due, in seconds from the clip's first frame.
_Due = tuple[float, av.VideoFrame | av.AudioFrame]


class ClipPlayer:
    """Decodes a published clip (MP4 or HLS, a path or a URL) in a thread, paced by the program.

    `advance(position)` returns the newest video frame due at `position` seconds from the clip's
    first frame and the audio frames due by then. `finished` once the clip is played out."""

    def __init__(self, url: str, *, buffer_seconds: float = 2.0) -> None:
        self.url = url
        # None, last, says the decoder is done (played out, failed or stopped).
        self._queue: queue.Queue[_Due | None] = queue.Queue(
            maxsize=max(8, int(buffer_seconds * 80))
        )
        self._stop = threading.Event()
        self._pending: _Due | None = None
        self._decoded_all = False
        self.failed = False
        self.has_audio = False
        self._thread = threading.Thread(target=self._decode, name="program-clip", daemon=True)
        self._thread.start()

    def _decode(self) -> None:
        try:
            with av.open(self.url, timeout=10.0) as container:
                streams = [*container.streams.video[:1], *container.streams.audio[:1]]
                self.has_audio = bool(container.streams.audio)
                for stream in streams:
                    stream.codec_context.thread_type = "AUTO"
                start: float | None = None
                for packet in container.demux(*streams):
                    for frame in packet.decode():
                        if not isinstance(frame, av.VideoFrame | av.AudioFrame):
                            continue
                        if frame.pts is None or frame.time_base is None:
                            continue
                        at = float(frame.pts * frame.time_base)
                        if start is None:
                            start = at
                        if not self._put((at - start, frame)):
                            return
        except Exception:
            logger.exception("playing clip %s failed", self.url)
            self.failed = True
        finally:
            self._put(None)

    def _put(self, item: _Due | None) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.2)
            except queue.Full:
                continue
            return True
        return False

    @property
    def finished(self) -> bool:
        return self._decoded_all

    def advance(self, position: float) -> tuple[av.VideoFrame | None, list[av.AudioFrame]]:
        video: av.VideoFrame | None = None
        audio: list[av.AudioFrame] = []
        while True:
            item = self._pending
            self._pending = None
            if item is None:
                try:
                    got = self._queue.get_nowait()
                except queue.Empty:
                    break
                if got is None:
                    self._decoded_all = True
                    break
                item = got
            at, frame = item
            if at > position:
                self._pending = item
                break
            if isinstance(frame, av.VideoFrame):
                video = frame
            else:
                audio.append(frame)
        return video, audio

    def ready(self) -> bool:
        """True once the first frame is decoded (the clip's clock starts then)."""
        if self._pending is not None:
            return True
        try:
            got = self._queue.get_nowait()
        except queue.Empty:
            return False
        if got is None:
            self._decoded_all = True
            return False
        self._pending = got
        return True

    def close(self) -> None:
        self._stop.set()
        deadline = time.monotonic() + 2.0
        while self._thread.is_alive() and time.monotonic() < deadline:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                time.sleep(0.02)
