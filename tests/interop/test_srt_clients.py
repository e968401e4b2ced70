"""SRT from third-party senders: FFmpeg 5 and 8, GStreamer's srtsink and srt-live-transmit each
publish 10 s to a session of their own; the source goes live, and its recording holds the picture
(and the sound, where the sender sends some)."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import imageio_ffmpeg
import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

from ingest.models import LiveSource, SourceState
from tests.integration.ingest.conftest import wait_async, wait_for
from tests.integration.ingest.test_rtmp import recording_contents

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

GRACE_SECONDS = 4
SECONDS = 10  # of media per sender


@dataclass
class Outcome:
    time_to_live: float  # from starting the sender to the source being live
    sender_exit: int
    frames: int
    samples: int


@pytest.fixture
def srt_settings(live_settings):
    live_settings.SRT_HOST = "127.0.0.1"
    live_settings.SRT_PORT_RANGE = os.environ.get("SRT_INTEROP_PORT_RANGE", "9631-9639")
    live_settings.SRT_WAIT_SECONDS = 20
    live_settings.LIVE_RECONNECT_GRACE_SECONDS = GRACE_SECONDS
    return live_settings


def _udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ffmpeg_h264_aac(binary: str, output: list[str]) -> list[str]:
    """The sender of the report: 720p H.264 (veryfast, zerolatency, 2 s GOP) and AAC."""
    return [
        binary, "-hide_banner", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30:duration={SECONDS}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={SECONDS}",
        "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "60",
        "-c:a", "aac", "-f", "mpegts", *output,
    ]  # fmt: skip


def _gstreamer_video_only(url: str, *, tsparse: bool) -> list[str]:
    """GStreamer's srtsink, video only. Without tsparse srtsink drops the keyframes carrying
    SPS/PPS (mpegtsmux flags them as headers); config-interval=-1 repeats them every keyframe."""
    mux = ["mpegtsmux", "!", "tsparse"] if tsparse else ["mpegtsmux"]
    parse = ["h264parse", "config-interval=-1"] if tsparse else ["h264parse"]
    return [
        "gst-launch-1.0", "-q",
        "videotestsrc", "is-live=true", f"num-buffers={SECONDS * 25}", "!",
        "video/x-raw,width=640,height=360,framerate=25/1", "!",
        "x264enc", "tune=zerolatency", "key-int-max=50", "!", *parse, "!",
        *mux, "!", "srtsink", f'uri="{url}"',
    ]  # fmt: skip


def _listener_warnings(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "ingest.media.srt" and record.levelno == logging.WARNING
    ]


async def _run(command: list[str]) -> int:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        return await asyncio.wait_for(process.wait(), SECONDS + 50)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _open_session(secret: str) -> dict:
    response = await AsyncClient().post("/live/srt/", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201
    return response.json()


def _publish(secret: str, settings, send: Callable[[str], Awaitable[int]]) -> Outcome:
    """Open a session, let `send` publish to its URL, wait for the source and its recording."""

    async def scenario() -> tuple[float, int]:
        offer = await _open_session(secret)
        loop = asyncio.get_running_loop()
        started = loop.time()
        sender = asyncio.create_task(send(offer["url"]))
        await wait_for(
            lambda: LiveSource.objects.filter(state=SourceState.LIVE).exists(), within=20
        )
        time_to_live = loop.time() - started
        code = await sender
        await wait_for(
            lambda: LiveSource.objects.filter(video__isnull=False).exists(),
            within=GRACE_SECONDS + 30,
        )
        return time_to_live, code

    time_to_live, code = async_to_sync(scenario)()
    source = LiveSource.objects.get()
    assert (source.protocol, source.state) == ("srt", "ended")
    frames, samples = recording_contents(source.video, settings.LIVE_RECORDINGS_DIR)
    print(f"time to live {time_to_live:.2f} s, {frames} frames, {samples} audio samples")
    return Outcome(time_to_live, code, frames, samples)


@pytest.mark.parametrize(
    "binary",
    [
        pytest.param(shutil.which("ffmpeg") or "ffmpeg", id="debian-ffmpeg"),
        pytest.param(imageio_ffmpeg.get_ffmpeg_exe(), id="ffmpeg8"),
    ],
)
def test_ffmpeg_h264_and_aac_goes_live_with_sound(
    srt_settings, stream_secret, enqueued, binary
) -> None:
    async def send(url: str) -> int:
        return await _run(_ffmpeg_h264_aac(binary, [url]))

    outcome = _publish(stream_secret, srt_settings, send)

    assert outcome.sender_exit == 0  # the sender never saw an I/O error
    assert outcome.time_to_live < 5
    assert outcome.frames >= SECONDS * 30 * 2 // 3
    assert outcome.samples >= 48000 * (SECONDS - 2)  # the AAC, recorded with the picture


def test_gstreamer_srtsink_video_only_goes_live(srt_settings, stream_secret, enqueued) -> None:
    async def send(url: str) -> int:
        return await _run(_gstreamer_video_only(url, tsparse=True))

    outcome = _publish(stream_secret, srt_settings, send)

    assert outcome.sender_exit == 0
    assert outcome.time_to_live < 5
    assert outcome.frames >= (SECONDS - 3) * 25


def test_gstreamer_srtsink_without_tsparse_is_explained_in_the_log(
    srt_settings, stream_secret, caplog
) -> None:
    """The plain pipeline (mpegtsmux straight into srtsink) never sends the SPS/PPS: nothing can
    decode that stream. No source, but the log says why and what to change."""
    caplog.set_level(logging.INFO, logger="ingest.media.srt")

    async def scenario() -> int:
        offer = await _open_session(stream_secret)
        code = await _run(_gstreamer_video_only(offer["url"], tsparse=False))
        await wait_async(lambda: bool(_listener_warnings(caplog)), within=15)
        return code

    code = async_to_sync(scenario)()

    assert code == 0
    assert LiveSource.objects.count() == 0
    warning = _listener_warnings(caplog)[0]
    assert "put tsparse between mpegtsmux and srtsink" in warning
    assert "non-existing PPS" in warning  # ffmpeg's own words, from the listener's stderr


def test_srt_live_transmit_relays_an_ffmpeg_udp_stream(
    srt_settings, stream_secret, enqueued
) -> None:
    udp_port = _udp_port()

    async def send(url: str) -> int:
        relay = await asyncio.create_subprocess_exec(
            "srt-live-transmit", "-q", f"udp://127.0.0.1:{udp_port}", url,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            output = [f"udp://127.0.0.1:{udp_port}?pkt_size=1316"]
            return await _run(_ffmpeg_h264_aac(shutil.which("ffmpeg") or "ffmpeg", output))
        finally:
            # srt-live-transmit keeps waiting for UDP input: end it once FFmpeg is done
            relay.terminate()
            await asyncio.wait_for(relay.wait(), 10)

    outcome = _publish(stream_secret, srt_settings, send)

    assert outcome.sender_exit == 0
    assert outcome.time_to_live < 5
    assert outcome.frames >= SECONDS * 30 * 2 // 3
    assert outcome.samples >= 48000 * (SECONDS - 2)
