"""When the ingest hangs up a WHIP publisher: gone (no frame, no packet), not merely frozen.

A 3G link that lost a packet freezes the picture until the packet is sent again, while the
phone's packets keep arriving; hanging that phone up would cost it a new ICE and DTLS handshake
over the same bad link. The end-to-end behaviour (a frozen camera is hung up, its source ends
after the grace) is in tests/integration/ingest/test_whip.py.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from ingest.media import whip
from ingest.media.pipeline import SourceRuntime
from ingest.media.whip import LiveIngest, PublishSession

STALL = 0.5


class FrozenSource:
    """A source whose picture froze at once; while `sending`, its video packets keep arriving
    (what the runtime's stats poll notes in `packets_at`)."""

    def __init__(self, *, sending: bool = True) -> None:
        self.latest_frame_at = self.packets_at = time.monotonic()
        self.sending = sending

    async def poll(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            if self.sending:
                self.packets_at = time.monotonic()


def _watch(source: FrozenSource, seconds: float) -> list[float]:
    """Run the stall watch of a session on `source`; when it hung up, if it did."""

    async def run() -> list[float]:
        ingest = LiveIngest(reporter=object())  # type: ignore[arg-type]
        hung_up: list[float] = []
        started = time.monotonic()

        async def dropped(session: PublishSession) -> None:
            session.closing = True
            hung_up.append(time.monotonic() - started)

        ingest.dropped = dropped  # type: ignore[method-assign]
        session = PublishSession(session_id="s1", user_id=1, source_id=1, source_key="k")
        poll = asyncio.create_task(source.poll())
        watch = asyncio.create_task(ingest._watch_stall(session, source))  # type: ignore[arg-type]
        await asyncio.sleep(seconds)
        for task in (watch, poll):
            task.cancel()
        await asyncio.gather(watch, poll, return_exceptions=True)
        return hung_up

    return asyncio.run(run())


@pytest.fixture
def short_stall(settings) -> None:
    settings.LIVE_STALL_SECONDS = STALL


def test_a_publisher_whose_packets_still_arrive_is_not_hung_up_for_a_frozen_picture(
    short_stall,
) -> None:
    # given a picture frozen for twice the stall time while packets keep arriving
    source = FrozenSource()

    # then the phone is still connected
    assert _watch(source, 2 * STALL) == []


def test_a_picture_frozen_for_long_is_hung_up_even_while_packets_arrive(short_stall) -> None:
    hung_up = _watch(FrozenSource(), 6 * STALL)

    assert len(hung_up) == 1
    assert hung_up[0] >= whip.STALL_FROZEN_FACTOR * STALL


def test_a_publisher_that_sends_nothing_is_hung_up_after_the_stall_time(
    short_stall, monkeypatch
) -> None:
    # given a phone that stopped sending anything (and no cap on frozen pictures to hide behind)
    monkeypatch.setattr(whip, "STALL_FROZEN_FACTOR", 100)
    source = FrozenSource(sending=False)

    hung_up = _watch(source, 6 * STALL)

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
            reporter=object(),  # type: ignore[arg-type]
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
