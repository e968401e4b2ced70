"""SRT publishing from the ffmpeg CLI: a session of one's own, a live source, reconnects, one Video."""

from __future__ import annotations

import asyncio
import os

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

from fieldcast.media.ffmpeg_binary import ffmpeg_path
from ingest.media.srt import parse_port_range
from ingest.models import LiveSource, SourceState
from tests.integration.ingest.conftest import wait_for
from tests.integration.ingest.test_rtmp import recording_contents

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

GRACE_SECONDS = 4


async def _ffmpeg_srt(url: str, seconds: float = 5, audio: str = "aac") -> int:
    process = await asyncio.create_subprocess_exec(
        ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=15:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15",
        "-c:a", audio, "-f", "mpegts", url,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    return await asyncio.wait_for(process.wait(), 60)


@pytest.fixture
def srt_settings(live_settings):
    live_settings.SRT_HOST = "127.0.0.1"
    live_settings.SRT_PORT_RANGE = os.environ.get("SRT_PORT_RANGE", "9611-9619")
    live_settings.SRT_WAIT_SECONDS = 20
    # SRT cannot tell a caller that stopped from one that dropped: every source waits the grace.
    live_settings.LIVE_RECONNECT_GRACE_SECONDS = GRACE_SECONDS
    return live_settings


async def _open_session(client: AsyncClient, secret: str) -> tuple[int, dict]:
    response = await client.post("/live/srt/", headers={"Authorization": f"Bearer {secret}"})
    return response.status_code, response.json()


@pytest.mark.parametrize("audio", ["aac", "libopus"])
def test_srt_publish_becomes_a_live_source_and_then_one_video_with_sound(
    srt_settings, stream_secret, reporter, enqueued, audio
) -> None:
    async def scenario() -> tuple[int, dict, list[str]]:
        status, offer = await _open_session(AsyncClient(), stream_secret)
        seen: list[str] = []

        async def watch() -> None:
            source = await wait_for(
                lambda: LiveSource.objects.filter(state=SourceState.LIVE).first()
            )
            seen.append(source.protocol)

        watcher = asyncio.create_task(watch())
        code = await _ffmpeg_srt(offer["url"], seconds=3, audio=audio)
        await watcher
        await wait_for(
            lambda: LiveSource.objects.filter(video__isnull=False).exists(),
            within=GRACE_SECONDS + 20,
        )
        return status, offer, seen + [str(code)]

    status, offer, seen = async_to_sync(scenario)()

    assert status == 201
    assert offer["port"] in parse_port_range(srt_settings.SRT_PORT_RANGE)
    assert offer["url"].startswith(f"srt://127.0.0.1:{offer['port']}?")
    assert f"streamid=publish:{stream_secret}" in offer["url"]
    assert seen == ["srt", "0"]
    source = LiveSource.objects.get()
    assert (source.protocol, source.state, source.reporter) == ("srt", "ended", reporter)
    assert source.connection_count == 1
    assert enqueued == [source.video.pk]
    frames, samples = recording_contents(source.video, srt_settings.LIVE_RECORDINGS_DIR)
    assert frames >= 30
    assert samples >= 48000 * 2  # the AAC or Opus sound, recorded (as AAC) with the picture


def test_srt_caller_that_comes_back_within_the_grace_continues_the_same_source(
    srt_settings, stream_secret, enqueued
) -> None:
    async def scenario() -> tuple[bool, int, int]:
        _status, offer = await _open_session(AsyncClient(), stream_secret)
        # given an SRT caller that publishes and goes away
        await _ffmpeg_srt(offer["url"], seconds=3)
        source = await wait_for(
            lambda: LiveSource.objects.filter(state=SourceState.LIVE, connected=False).first()
        )
        # when it calls the same URL again within the grace period
        code = await _ffmpeg_srt(offer["url"], seconds=3)
        connected_again = await wait_for(
            lambda: LiveSource.objects.filter(pk=source.pk, connection_count=2).exists()
        )
        await wait_for(
            lambda: LiveSource.objects.filter(video__isnull=False).exists(),
            within=GRACE_SECONDS + 20,
        )
        return connected_again, code, source.pk

    connected_again, code, source_id = async_to_sync(scenario)()

    # then it is the same source, ended once nobody came back, with one recording of both calls
    assert (connected_again, code) == (True, 0)
    source = LiveSource.objects.get()
    assert (source.pk, source.state, source.connection_count) == (source_id, "ended", 2)
    assert enqueued == [source.video.pk]
    frames, samples = recording_contents(source.video, srt_settings.LIVE_RECORDINGS_DIR)
    assert frames >= 75  # both 3 s calls at 15 fps, give or take the first keyframe
    assert samples >= 48000 * 4


def test_srt_session_needs_a_valid_key(srt_settings) -> None:
    async def scenario() -> tuple[int, int]:
        client = AsyncClient()
        wrong = await client.post("/live/srt/", headers={"Authorization": "Bearer fck_nope"})
        missing = await client.post("/live/srt/")
        return wrong.status_code, missing.status_code

    assert async_to_sync(scenario)() == (401, 401)
    assert LiveSource.objects.count() == 0
