"""Helpers for the program engine's integration tests: coloured, stamped publishers and probes.

Each publisher sends a flat grey of its own luma (so the program picture tells which source is
on air) with its frame index stamped in the top-left corner, from a real aiortc peer on loopback.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

import av
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from asgiref.sync import sync_to_async
from django.test import AsyncClient
from PIL import ImageStat

from ingest.media.ice import configure_ice
from ingest.models import LiveSource, Program, SourceState
from ingest.program import services as program_services
from ingest.program.graphics import Planes, draw_stamp
from ingest.program.runtime import ProgramRuntime
from ingest.services import source_decide
from tests.integration.ingest.conftest import publish, wait_for

SLUG = "main"
WIDTH, HEIGHT = 320, 180


class GreyTrack(VideoStreamTrack):
    """WIDTHxHEIGHT frames of one luma level, stamped with their index."""

    def __init__(self, luma: int) -> None:
        super().__init__()
        self.luma = luma
        self.count = 0

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        planes = Planes.black(WIDTH, HEIGHT)
        planes.y.paste(self.luma, (0, 0, WIDTH, HEIGHT))
        draw_stamp(planes, self.count)
        self.count += 1
        frame = planes.to_frame()
        frame.pts, frame.time_base = pts, time_base
        return frame


class GreyPublisher:
    """A WHIP publisher of a `GreyTrack` (and test-tone silence audio)."""

    def __init__(self, luma: int) -> None:
        self.pc = RTCPeerConnection()
        self.pc.addTransceiver(GreyTrack(luma), direction="sendonly")
        self.pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
        configure_ice(self.pc, host_addresses=["127.0.0.1"])

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return str(self.pc.localDescription.sdp)

    async def accept(self, answer: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))

    async def close(self) -> None:
        await self.pc.close()


def picture_luma(runtime: ProgramRuntime) -> float:
    """Mean luma of an area of the program picture that no graphics cover (top right)."""
    picture = runtime.last_picture
    if picture is None:
        return -1.0
    box = (int(WIDTH * 0.55), int(HEIGHT * 0.15), int(WIDTH * 0.7), int(HEIGHT * 0.45))
    return float(ImageStat.Stat(picture.y.crop(box)).mean[0])


def near(value: float, target: float, tolerance: float = 8.0) -> bool:
    return abs(value - target) <= tolerance


async def go_live(
    client: AsyncClient, secret: str, luma: int, editor: Any
) -> tuple[GreyPublisher, LiveSource]:
    """Publish a grey source and approve it; returns the publisher and the approved source."""
    publisher = GreyPublisher(luma)
    response = await publish(client, secret, publisher)
    assert response.status_code == 201
    key = response["Fieldcast-Source"]

    def live() -> LiveSource | None:
        source = LiveSource.objects.filter(key=key).first()
        return source if source is not None and source.state == SourceState.LIVE else None

    source = await wait_for(live)
    await sync_to_async(source_decide)(source_key=key, editor=editor, action="approve")
    return publisher, source


def prepare_program(editor: Any) -> Program:
    """`main` at the tests' tiny size, started by `editor` who holds the switcher."""
    program = program_services.program_default()
    Program.objects.filter(pk=program.pk).update(width=WIDTH, height=HEIGHT, fps=25)
    program_services.program_take_switcher(slug=SLUG, editor=editor)
    program_services.program_start(slug=SLUG, editor=editor)
    return Program.objects.get(pk=program.pk)


def program_seq() -> int:
    return int(Program.objects.values_list("seq", flat=True).get(slug=SLUG))


async def wait_engine_seq(engine: Any) -> None:
    """Until the engine applied the program's newest state."""
    seq = await sync_to_async(program_seq)()
    await wait_until(lambda: engine.seqs.get(SLUG, -1) >= seq)


async def wait_until(predicate: Callable[[], bool], *, within: float = 15.0) -> float:
    """Poll `predicate` in the loop; the seconds it took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not predicate():
        if loop.time() - started > within:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)
    return loop.time() - started


def segment_video_pts(data: bytes) -> list[float]:
    """Presentation times (seconds) of the video frames in one MPEG-TS segment."""
    with av.open(io.BytesIO(data), format="mpegts") as container:
        stream = container.streams.video[0]
        return [
            float(frame.pts * stream.time_base)
            for frame in container.decode(stream)
            if frame.pts is not None
        ]
