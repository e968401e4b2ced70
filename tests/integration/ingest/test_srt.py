"""SRT publishing from the ffmpeg CLI: a session of one's own, a live source, one Video."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

from ingest.models import LiveSource, SourceState
from media_workers.ffmpeg_binary import ffmpeg_path
from tests.integration.ingest.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


async def _ffmpeg_srt(url: str, seconds: float = 5) -> int:
    process = await asyncio.create_subprocess_exec(
        ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=15:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15",
        "-f", "mpegts", url,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    return await asyncio.wait_for(process.wait(), 60)


@pytest.fixture
def srt_settings(live_settings):
    live_settings.SRT_HOST = "127.0.0.1"
    live_settings.SRT_PORT_RANGE = "9611-9619"
    live_settings.SRT_WAIT_SECONDS = 20
    return live_settings


def test_srt_publish_becomes_a_live_source_and_then_one_video(
    srt_settings, stream_secret, reporter, enqueued
) -> None:
    async def scenario() -> tuple[int, dict, list[str]]:
        client = AsyncClient()
        response = await client.post(
            "/live/srt/", headers={"Authorization": f"Bearer {stream_secret}"}
        )
        offer = response.json()
        seen: list[str] = []

        async def watch() -> None:
            source = await wait_for(
                lambda: LiveSource.objects.filter(state=SourceState.LIVE).first()
            )
            seen.append(source.protocol)

        watcher = asyncio.create_task(watch())
        code = await _ffmpeg_srt(offer["url"])
        await watcher
        await wait_for(lambda: LiveSource.objects.filter(video__isnull=False).exists())
        return response.status_code, offer, seen + [str(code)]

    status, offer, seen = async_to_sync(scenario)()

    assert status == 201
    assert offer["url"].startswith("srt://127.0.0.1:961")
    assert f"streamid=publish:{stream_secret}" in offer["url"]
    assert seen == ["srt", "0"]
    source = LiveSource.objects.get()
    assert (source.protocol, source.state, source.reporter) == ("srt", "ended", reporter)
    assert enqueued == [source.video.pk]


def test_srt_session_needs_a_valid_key(srt_settings) -> None:
    async def scenario() -> tuple[int, int]:
        client = AsyncClient()
        wrong = await client.post("/live/srt/", headers={"Authorization": "Bearer fck_nope"})
        missing = await client.post("/live/srt/")
        return wrong.status_code, missing.status_code

    assert async_to_sync(scenario)() == (401, 401)
    assert LiveSource.objects.count() == 0
