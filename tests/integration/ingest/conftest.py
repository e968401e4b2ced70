"""A real aiortc publisher on loopback, and helpers to drive the WHIP endpoint in one event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from asgiref.sync import sync_to_async
from av import VideoFrame
from django.db import connections

from fieldcast.videos import tasks as video_tasks
from ingest import services
from ingest.media import reporting, whip
from ingest.media.ice import configure_ice


class MovingVideoTrack(VideoStreamTrack):
    """320x240 frames whose brightness changes every frame (a "moving" picture)."""

    def __init__(self, width: int = 320, height: int = 240) -> None:
        super().__init__()
        self.width, self.height = width, height
        self.count = 0

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        self.count += 1
        frame = VideoFrame(self.width, self.height, "yuv420p")
        shade = (self.count * 7) % 200 + 16
        for index, plane in enumerate(frame.planes):
            plane.update(bytes([shade if index == 0 else 128]) * plane.buffer_size)
        frame.pts, frame.time_base = pts, time_base
        return frame


class Publisher:
    """A WHIP client: an aiortc peer offering only loopback candidates."""

    def __init__(self, *, video: bool = True, audio: bool = True) -> None:
        self.pc = RTCPeerConnection()
        if video:
            self.pc.addTransceiver(MovingVideoTrack(), direction="sendonly")
        if audio:
            self.pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
        configure_ice(self.pc, host_addresses=["127.0.0.1"])

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return str(self.pc.localDescription.sdp)

    async def accept(self, answer: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))

    async def close(self) -> None:
        await self.pc.close()


async def post_offer(client: Any, secret: str | None, sdp: str, **extra: Any) -> Any:
    headers = {"Content-Type": "application/sdp"}
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    headers.update(extra.pop("headers", {}))
    return await client.post(
        "/live/whip/", data=sdp, content_type=headers.pop("Content-Type"), headers=headers
    )


async def publish(client: Any, secret: str, publisher: Publisher) -> Any:
    response = await post_offer(client, secret, await publisher.offer())
    if response.status_code == 201:
        await publisher.accept(response.content.decode())
    return response


async def wait_for(
    predicate: Callable[[], Any], *, within: float = 15.0, interval: float = 0.1
) -> Any:
    """Poll a sync predicate (run in Django's thread) until it returns something truthy."""
    check = sync_to_async(predicate)
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(interval)


async def wait_async(
    predicate: Callable[[], bool],
    *,
    within: float = 15.0,
    why: Callable[[], str] | None = None,
) -> None:
    """Wait for `predicate`; `why` explains a timeout (called only then)."""
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                "condition not reached in time" + (f": {why()}" if why is not None else "")
            )
        await asyncio.sleep(0.05)


@pytest.fixture(autouse=True)
def _close_ingest_db_connection():
    """The ingest reports from its own thread, which keeps a database connection open: close it
    after each test, so PostgreSQL can drop the test database at the end."""
    yield
    reporting._db_thread.submit(connections.close_all).result(timeout=30)


@pytest.fixture
def live_settings(settings, tmp_path):
    settings.LIVE_RECORDINGS_DIR = tmp_path / "recordings"
    settings.ICE_HOST_ADDRESSES = ["127.0.0.1"]
    settings.ICE_REMOTE_NETWORKS = ["127.0.0.0/8"]
    settings.LIVE_RECONNECT_GRACE_SECONDS = 30.0
    settings.LIVE_STALL_SECONDS = 3.0
    return settings


@pytest.fixture
def stream_secret(reporter) -> str:
    _key, secret = services.stream_key_create(user=reporter, name="Pixel", assignment_ref="A-3")
    return secret


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    """Video ids handed to the transcode task (the task itself is tested with the uploads)."""
    ids: list[int] = []

    class FakeTask:
        @staticmethod
        def delay(video_id: int) -> None:
            ids.append(video_id)

    monkeypatch.setattr(video_tasks, "transcode_video", FakeTask)
    return ids


@pytest.fixture
def peer_connections(monkeypatch) -> list[Any]:
    """Every peer connection the WHIP endpoint creates."""
    created: list[Any] = []
    real = whip.RTCPeerConnection

    def spy(*args: Any, **kwargs: Any) -> Any:
        pc = real(*args, **kwargs)
        created.append(pc)
        return pc

    monkeypatch.setattr(whip, "RTCPeerConnection", spy)
    return created
