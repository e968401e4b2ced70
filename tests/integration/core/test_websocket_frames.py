"""Every websocket closes with 4400 and one log line on a frame that is not JSON
(fieldcast.core.websockets), instead of dropping the connection with a traceback."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from asgiref.testing import ApplicationCommunicator
from django.contrib.auth.models import AnonymousUser
from pytest_django.plugin import DjangoDbBlocker

from fieldcast.accounts.models import User
from fieldcast.core.consumers import MeConsumer
from fieldcast.core.websockets import CLOSE_BAD_FRAME, JsonWebsocketConsumer
from ingest.consumers import SourcesConsumer
from ingest.program.consumers import StudioConsumer
from tests.processes import ROOT, free_port, process_env

pytestmark = pytest.mark.integration

BAD_FRAMES = ["not json", "{", "[" * 100_000 + "]" * 100_000]


@pytest.fixture(scope="module")
def web(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[int, Path]]:
    """A real `fieldcast up` web process on the test database: its port and its log."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("ws-frames") / "web.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "fieldcast", "up", "--no-worker", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=ROOT, env=process_env(), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(  # noqa: S310 - loopback
                    f"http://127.0.0.1:{port}/healthz", timeout=2
                ) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"web process did not start:\n{log_path.read_text('utf-8')}")
            time.sleep(0.25)
        yield port, log_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _close_code_after(url: str, frame: str | bytes) -> int | None:
    origin = url.replace("ws://", "http://").split("/ws/")[0]
    async with websockets.connect(url, max_size=None, origin=origin) as sock:  # type: ignore[arg-type]
        # Whatever the socket says on joining (history, state) comes first.
        await sock.send(frame)
        try:
            while True:
                await asyncio.wait_for(sock.recv(), timeout=10)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else None


@pytest.fixture
def main_channel(web, django_db_blocker: DjangoDbBlocker) -> None:
    """The default program and its chat (a transactional test before may have emptied tables)."""
    from community.models import ChatSettings
    from ingest.models import Program

    with django_db_blocker.unblock():
        Program.objects.get_or_create(slug="main", defaults={"name": "Main"})
        ChatSettings.objects.get_or_create(channel="main")


@pytest.mark.usefixtures("main_channel")
@pytest.mark.parametrize("path", ["/ws/chat/main/", "/ws/live/main/"])
@pytest.mark.parametrize("frame", [*BAD_FRAMES, b"\x00binary"])
def test_a_bad_frame_closes_a_real_socket_with_4400_and_one_log_line(web, path, frame) -> None:
    # given a running web process
    port, log_path = web
    log_before = log_path.read_text("utf-8")

    # when a client sends a frame that is not a JSON text
    code = asyncio.run(_close_code_after(f"ws://127.0.0.1:{port}{path}", frame))

    # then the server closes with 4400 (a close frame, not a dropped connection)
    assert code == CLOSE_BAD_FRAME
    # and logs one warning line, no traceback
    deadline = time.monotonic() + 5
    while True:
        new = log_path.read_text("utf-8")[len(log_before) :]
        lines = [line for line in new.splitlines() if "fieldcast.core.websockets" in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(lines) == 1
    assert " WARNING " in lines[0]
    assert f"websocket {path}: closed (4400)" in lines[0]
    assert "Traceback" not in new
    assert " ERROR " not in new


async def _communicate(
    consumer: type[JsonWebsocketConsumer],
    path: str,
    user: User | AnonymousUser,
    kwargs: dict[str, str],
) -> dict:
    scope: dict[str, object] = {
        "type": "websocket",
        "path": path,
        "query_string": b"",
        "headers": [],
        "user": user,
        "url_route": {"kwargs": kwargs},
    }
    socket = ApplicationCommunicator(consumer.as_asgi(), scope)
    await socket.send_input({"type": "websocket.connect"})
    assert (await socket.receive_output(timeout=5))["type"] == "websocket.accept"
    await socket.send_input({"type": "websocket.receive", "text": "not json"})
    while True:
        reply = await socket.receive_output(timeout=5)
        if reply["type"] == "websocket.close":
            await socket.wait(timeout=5)
            return reply


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("consumer", "path", "kwargs"),
    [
        (MeConsumer, "/ws/me/", {}),
        (SourcesConsumer, "/ws/live/sources/", {}),
        (StudioConsumer, "/ws/studio/main/", {"slug": "main"}),
    ],
)
def test_every_signed_in_socket_closes_with_4400_on_a_bad_frame(
    consumer, path, kwargs, caplog: pytest.LogCaptureFixture, settings
) -> None:
    # given an editor (who may open every socket) and the in-memory channel layer
    from ingest.models import Program
    from tests.factories import UserFactory

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    editor = UserFactory(roles=["reporter", "editor"])
    Program.objects.get_or_create(slug="main", defaults={"name": "Main"})

    # when
    reply = asyncio.run(_communicate(consumer, path, editor, kwargs))

    # then
    assert reply == {"type": "websocket.close", "code": CLOSE_BAD_FRAME}
    refusals = [r for r in caplog.records if r.name == "fieldcast.core.websockets"]
    assert len(refusals) == 1
    assert refusals[0].getMessage() == (
        f"websocket {path}: closed (4400) after a frame that is not JSON (or nests too deeply)"
    )


def test_a_frame_over_the_size_limit_closes_the_socket(settings) -> None:
    # given
    settings.WEBSOCKET_MAX_FRAME_BYTES = 10

    class Probe(MeConsumer):
        closed: int | None = None

        async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
            type(self).closed = code

    probe = Probe()
    probe.scope = {"path": "/ws/me/"}

    # when
    asyncio.run(probe.receive(text_data=json.dumps({"type": "ping", "pad": "x" * 10})))

    # then
    assert Probe.closed == CLOSE_BAD_FRAME
