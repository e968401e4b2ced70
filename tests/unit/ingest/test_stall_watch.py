"""When the ingest hangs up a WHIP publisher: gone (no frame, no packet), not merely frozen.

A 3G link that lost a packet freezes the picture until the packet is sent again, while the
phone's packets keep arriving; hanging that phone up would cost it a new ICE and DTLS handshake
over the same bad link. The end-to-end behaviour (a frozen camera is hung up, its source ends
after the grace) is in tests/integration/ingest/test_whip.py.
"""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

import pytest

from ingest.media import whip
from ingest.media.whip import LiveIngest, PublishSession

STALL = 0.5


class PeerConnection:
    """Answers getStats like aiortc: the video packets received so far."""

    def __init__(self) -> None:
        self.packets = 100
        self.sending = True

    async def getStats(self) -> dict[str, Any]:  # noqa: N802 - aiortc's name
        if self.sending:
            self.packets += 10
        inbound = SimpleNamespace(
            type="inbound-rtp", kind="video", packetsReceived=self.packets, packetsLost=0
        )
        return {"inbound": inbound}


def _watch(pc: PeerConnection, seconds: float) -> list[float]:
    """Run the stall watch of a session whose picture froze at once; when it hung up, if it did."""

    async def run() -> list[float]:
        ingest = LiveIngest(reporter=object())  # type: ignore[arg-type]
        hung_up: list[float] = []
        started = time.monotonic()

        async def dropped(session: PublishSession) -> None:
            session.closing = True
            hung_up.append(time.monotonic() - started)

        ingest.dropped = dropped  # type: ignore[method-assign]
        session = PublishSession(session_id="s1", user_id=1, source_id=1, source_key="k")
        runtime = SimpleNamespace(latest_frame_at=time.monotonic())
        watch = asyncio.create_task(ingest._watch_stall(session, runtime, pc))  # type: ignore[arg-type]
        await asyncio.sleep(seconds)
        watch.cancel()
        await asyncio.gather(watch, return_exceptions=True)
        return hung_up

    return asyncio.run(run())


@pytest.fixture
def short_stall(settings) -> None:
    settings.LIVE_STALL_SECONDS = STALL


def test_a_publisher_whose_packets_still_arrive_is_not_hung_up_for_a_frozen_picture(
    short_stall,
) -> None:
    # given a picture frozen for twice the stall time while packets keep arriving
    pc = PeerConnection()

    # then the phone is still connected
    assert _watch(pc, 2 * STALL) == []


def test_a_picture_frozen_for_long_is_hung_up_even_while_packets_arrive(short_stall) -> None:
    hung_up = _watch(PeerConnection(), 6 * STALL)

    assert len(hung_up) == 1
    assert hung_up[0] >= whip.STALL_FROZEN_FACTOR * STALL


def test_a_publisher_that_sends_nothing_is_hung_up_after_the_stall_time(
    short_stall, monkeypatch
) -> None:
    # given a phone that stopped sending anything (and no cap on frozen pictures to hide behind)
    monkeypatch.setattr(whip, "STALL_FROZEN_FACTOR", 100)
    pc = PeerConnection()
    pc.sending = False

    hung_up = _watch(pc, 6 * STALL)

    # then it is hung up once the stall time has passed
    assert len(hung_up) == 1
    assert STALL <= hung_up[0] < 6 * STALL
