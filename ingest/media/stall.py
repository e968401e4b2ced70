"""When a WHIP publisher counts as gone: no frame and no video packet for LIVE_STALL_SECONDS.

A picture frozen while video packets still arrive (the runtime's stats poll notes them) is a 3G
link recovering lost packets, not a gone phone: hanging up would make it spend seconds on a new
ICE and DTLS handshake over the same link. It is given up to STALL_FROZEN_FACTOR times as long.

The policy reads time from an injected clock (`time.monotonic` by default, the clock the source
runtime stamps its frames and packets with), so its tests drive a fake one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ingest.media.pipeline import SourceSample

Clock = Callable[[], float]

# A picture frozen while packets still arrive is hung up only after this many LIVE_STALL_SECONDS.
STALL_FROZEN_FACTOR = 3


class Sampled(Protocol):
    """A running source as the stall watch sees it (a `SourceRuntime`, or a test's fake)."""

    def sample(self) -> SourceSample: ...


@dataclass(frozen=True)
class Stall:
    """Why a publisher counts as gone: seconds since its last frame and its last video packet."""

    frame_age: float
    packet_age: float


class StallPolicy:
    """Started when the session starts watching; `check` it with each new sample."""

    def __init__(
        self,
        *,
        stall_seconds: float,
        clock: Clock = time.monotonic,
        frozen_factor: float = STALL_FROZEN_FACTOR,
    ) -> None:
        self.stall_seconds = stall_seconds
        self.frozen_factor = frozen_factor
        self.clock = clock
        self.started = clock()

    @property
    def poll_seconds(self) -> float:
        return min(1.0, self.stall_seconds / 3)

    def check(self, sample: SourceSample) -> Stall | None:
        """A `Stall` when the publisher is gone (silent, or frozen too long), else None."""
        now = self.clock()
        last_frame = max(self.started, sample.latest_frame_at)
        last_packet = max(self.started, sample.packets_at)
        silent = now - max(last_frame, last_packet) > self.stall_seconds
        frozen_too_long = now - last_frame > self.stall_seconds * self.frozen_factor
        if silent or frozen_too_long:
            return Stall(frame_age=now - last_frame, packet_age=now - last_packet)
        return None
