"""WHEP program monitors: an editor's aiortc viewer receives the program; nobody else may."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from PIL import ImageStat

from fieldcast.accounts.services import api_token_create
from fieldcast.core.events import stop_relay
from ingest.media.ice import configure_ice
from ingest.program.engine import program_engine
from ingest.program.graphics import frame_luma
from tests.integration.ingest.program.engine_support import (
    HEIGHT,
    SLUG,
    WIDTH,
    prepare_program,
    wait_engine_seq,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def program_settings(live_settings, tmp_path, enqueued):
    """Tiny programs in a temporary work directory; their recordings are not transcoded."""
    live_settings.PROGRAM_WORK_DIR = tmp_path / "program"
    return live_settings


class Viewer:
    """A WHEP client: receive-only video and audio, loopback candidates only."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection()
        self.pc.addTransceiver("video", direction="recvonly")
        self.pc.addTransceiver("audio", direction="recvonly")
        configure_ice(self.pc, host_addresses=["127.0.0.1"])
        self.tracks: dict[str, Any] = {}
        self.pc.on("track", lambda track: self.tracks.__setitem__(track.kind, track))

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return str(self.pc.localDescription.sdp)

    async def accept(self, answer: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))


async def _post(client: AsyncClient, sdp: str, slug: str = SLUG, **headers: str) -> Any:
    return await client.post(
        f"/live/whep/{slug}/", data=sdp, content_type="application/sdp", headers=headers
    )


def test_editor_monitor_receives_program_pictures_and_sound_then_hangs_up(
    program_settings, editor
) -> None:
    # given a running program (on the slate)
    prepare_program(editor)

    async def scenario() -> dict:
        engine = program_engine()
        await engine.start()
        await wait_engine_seq(engine)
        runtime = engine.runtimes[SLUG]
        client = AsyncClient()
        await client.aforce_login(editor)
        viewer = Viewer()

        # when the editor's monitor posts its offer
        response = await _post(client, await viewer.offer())
        await viewer.accept(response.content.decode())
        await wait_until(lambda: "video" in viewer.tracks and "audio" in viewer.tracks)
        frames = [await asyncio.wait_for(viewer.tracks["video"].recv(), 10) for _ in range(10)]
        sound = await asyncio.wait_for(viewer.tracks["audio"].recv(), 10)
        viewers_while_watching = len(runtime.viewers)

        # and hangs up
        deleted = await client.delete(response["Location"])
        viewers_after = len(runtime.viewers)
        await viewer.pc.close()
        await engine.stop()
        await stop_relay()
        return {
            "status": response.status_code,
            "type": response["Content-Type"],
            "location": response["Location"],
            "frames": frames,
            "sound": sound,
            "watching": viewers_while_watching,
            "deleted": deleted.status_code,
            "after": viewers_after,
        }

    result = async_to_sync(scenario)()

    # then the monitor got the program's pictures (the slate) and its sound
    assert result["status"] == 201
    assert result["type"] == "application/sdp"
    assert result["location"].startswith(f"/live/whep/{SLUG}/")
    last = result["frames"][-1]
    assert (last.width, last.height) == (WIDTH, HEIGHT)
    luma = frame_luma(last)
    region = (int(WIDTH * 0.55), int(HEIGHT * 0.15), int(WIDTH * 0.7), int(HEIGHT * 0.45))
    assert abs(ImageStat.Stat(luma.crop(region)).mean[0] - 37) < 10
    assert result["sound"].sample_rate == 48000
    assert result["watching"] == 1
    # and the DELETE ended the session
    assert (result["deleted"], result["after"]) == (200, 0)


def test_a_tool_with_an_editors_api_token_may_watch(program_settings, editor) -> None:
    # given a running program and an editor's API token
    prepare_program(editor)
    key = api_token_create(user=editor)

    async def scenario() -> tuple[int, int]:
        engine = program_engine()
        await engine.start()
        await wait_engine_seq(engine)
        viewer = Viewer()
        # when a tool posts with the token (no session, no CSRF token)
        response = await _post(
            AsyncClient(enforce_csrf_checks=True),
            await viewer.offer(),
            Authorization=f"Token {key}",
        )
        watching = len(engine.runtimes[SLUG].viewers)
        await viewer.pc.close()
        await engine.stop()
        await stop_relay()
        return response.status_code, watching

    # then it is answered like the studio page
    assert async_to_sync(scenario)() == (201, 1)


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("reporter", 403, "not_editor"),
        ("viewer", 403, "not_editor"),
        ("editor_without_csrf", 403, "csrf_failed"),
        ("bad_token", 401, "not_authenticated"),
    ],
)
def test_only_editors_may_open_a_monitor(
    program_settings, editor, reporter, viewer, who, status, code
) -> None:
    # given a running program
    prepare_program(editor)
    people = {"reporter": reporter, "viewer": viewer, "editor_without_csrf": editor}

    async def scenario() -> tuple[int, str, int]:
        engine = program_engine()
        await engine.start()
        await wait_engine_seq(engine)
        client = AsyncClient(enforce_csrf_checks=who == "editor_without_csrf")
        if who in people:
            await client.aforce_login(people[who])
        headers = {"Authorization": "Token fc_nope"} if who == "bad_token" else {}
        monitor = Viewer()
        # when they post an offer
        response = await _post(client, await monitor.offer(), **headers)
        watching = len(engine.runtimes[SLUG].viewers)
        await monitor.pc.close()
        await engine.stop()
        await stop_relay()
        return response.status_code, response.json()["error"]["code"], watching

    # then they are refused and no monitor was added
    assert async_to_sync(scenario)() == (status, code, 0)


@pytest.mark.parametrize(
    ("slug", "body", "content_type", "status", "code"),
    [
        ("elsewhere", None, "application/sdp", 404, "program_not_running"),
        (SLUG, "hello", "application/sdp", 400, "malformed_sdp"),
        (SLUG, "v=0\r\ns=-\r\nt=0 0\r\n", "application/sdp", 400, "no_video"),
        (SLUG, None, "text/plain", 400, "unsupported_media_type"),
        (SLUG, "v=0\r\n" + "a=x:" + "y" * 200_000, "application/sdp", 413, "payload_too_large"),
    ],
)
def test_bad_monitor_requests_get_a_clear_error(
    program_settings, editor, slug, body, content_type, status, code
) -> None:
    # given a running program
    prepare_program(editor)

    async def scenario() -> tuple[int, dict, int]:
        engine = program_engine()
        await engine.start()
        await wait_engine_seq(engine)
        client = AsyncClient()
        await client.aforce_login(editor)
        monitor = Viewer()
        offer = await monitor.offer()
        # when the request is wrong
        response = await client.post(
            f"/live/whep/{slug}/", data=body or offer, content_type=content_type
        )
        watching = len(engine.runtimes[SLUG].viewers)
        await monitor.pc.close()
        await engine.stop()
        await stop_relay()
        return response.status_code, response.json()["error"], watching

    status_got, error, watching = async_to_sync(scenario)()

    # then the error says what is wrong, and nothing was connected
    assert (status_got, error["code"]) == (status, code)
    assert error["message"]
    assert watching == 0
