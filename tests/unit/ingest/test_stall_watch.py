"""When the ingest hangs up a WHIP publisher: gone (no frame, no packet), not merely frozen.

A 3G link that lost a packet freezes the picture until the packet is sent again, while the
phone's packets keep arriving; hanging that phone up would cost it a new ICE and DTLS handshake
over the same bad link. The end-to-end behaviour (a frozen camera is hung up, its source ends
after the grace) is in tests/integration/ingest/test_whip.py.
"""

from __future__ import annotations

import asyncio

from ingest.media import stall, whip
from ingest.media.pipeline import SourceRuntime, SourceSample
from ingest.media.registry import LiveIngest, PublishSession
from ingest.media.reporting import ServiceReporter

STALL = 0.5
PACKET_EVERY = 0.1  # how often a sending phone's packets show in the stats poll


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FrozenSource:
    """A source whose picture froze at once; while `sending`, its video packets keep arriving
    (what the runtime's stats poll notes in `packets_at`)."""

    def __init__(self, clock: FakeClock, *, sending: bool = True) -> None:
        self.clock = clock
        self.latest_frame_at = self.packets_at = clock()
        self.sending = sending
        self._since_packet = 0.0

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass on the fake clock, packets arriving every PACKET_EVERY if sending."""
        end = self.clock.now + seconds
        while self.clock.now + PACKET_EVERY <= end:
            self.clock.now += PACKET_EVERY
            if self.sending:
                self.packets_at = self.clock.now
        self.clock.now = end

    def sample(self) -> SourceSample:
        return SourceSample(latest_frame_at=self.latest_frame_at, packets_at=self.packets_at)


def _watch(
    source: FrozenSource, seconds: float, *, frozen_factor: float = stall.STALL_FROZEN_FACTOR
) -> list[float]:
    """Run the stall watch of a session on `source` for `seconds` of the fake clock; when it hung
    up, if it did. The watch is awaited itself: an exception in it fails the test."""
    clock = source.clock
    started = clock()
    hung_up: list[float] = []
    watched = PublishSession(session_id="s1", user_id=1, source_id=1, source_key="k")

    class Watching(LiveIngest):
        async def dropped(self, session: PublishSession) -> None:
            session.closing = True
            hung_up.append(clock() - started)

    ingest = Watching()

    async def sleep(delay: float) -> None:
        source.advance(delay)
        if clock() - started >= seconds:
            watched.closing = True  # the end of the observed window, as a hang-up elsewhere

    policy = stall.StallPolicy(stall_seconds=STALL, clock=clock, frozen_factor=frozen_factor)
    asyncio.run(whip.watch_stall(ingest, watched, source, policy=policy, sleep=sleep))
    return hung_up


def test_a_publisher_whose_packets_still_arrive_is_not_hung_up_for_a_frozen_picture() -> None:
    # given a picture frozen for twice the stall time while packets keep arriving
    source = FrozenSource(FakeClock())

    # then the phone is still connected
    assert _watch(source, 2 * STALL) == []


def test_a_picture_frozen_for_long_is_hung_up_even_while_packets_arrive() -> None:
    hung_up = _watch(FrozenSource(FakeClock()), 6 * STALL)

    assert len(hung_up) == 1
    assert hung_up[0] >= stall.STALL_FROZEN_FACTOR * STALL


def test_a_publisher_that_sends_nothing_is_hung_up_after_the_stall_time() -> None:
    # given a phone that stopped sending anything (and no cap on frozen pictures to hide behind)
    source = FrozenSource(FakeClock(), sending=False)

    hung_up = _watch(source, 6 * STALL, frozen_factor=100)

    # then it is hung up once the stall time has passed
    assert len(hung_up) == 1
    assert STALL <= hung_up[0] < 6 * STALL


def test_the_stats_poll_notes_when_video_packets_last_arrived(tmp_path) -> None:
    # given a source whose session reports its received video packets
    counts = iter([10, 25, 25])

    async def probe() -> dict[str, int]:
        return {"packets_received": next(counts), "packets_lost": 0}

    async def scenario() -> list[bool]:
        runtime = SourceRuntime(
            source_id=1,
            source_key="k",
            reporter=ServiceReporter(),  # never called: the poll only notes the counts
            recordings_dir=tmp_path,
            preview_fps=1,
        )
        runtime.attach(session_id="s1", stats_probe=probe)
        moved = []
        for _poll in range(3):
            before = runtime.packets_at
            await runtime.stats()
            moved.append(runtime.packets_at > before)
        return moved

    # then a poll that saw more packets moves `packets_at`, one that saw none does not
    assert asyncio.run(scenario()) == [True, True, False]
