"""The live chat across two web processes: a message written on one reaches sockets on the other,
and a client whose web process restarts fetches what it missed.

Two `python -m fieldcast up --no-worker` processes share the test database. With REDIS_URL (CI's
scaled run) they share a channels-redis layer; without it (SQLite, embedded) each has its own
in-memory layer and the events cross through the database relay of `fieldcast.core.events`.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import websockets
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import Client
from pytest_django.plugin import DjangoDbBlocker
from websockets.asyncio.client import ClientConnection
from websockets.typing import Origin

from community.models import ChatMessage
from fieldcast.accounts.models import User
from tests.factories import UserFactory
from tests.processes import ROOT, free_port, process_env

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("chat_channels")]


@dataclass
class WebProcess:
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = process_env()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own CLI
                [sys.executable, "-m", "fieldcast", "up", "--no-worker", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(  # noqa: S310 - loopback
                    f"http://127.0.0.1:{self.port}/healthz", timeout=2
                ) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            assert self.process is not None
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"web process did not start:\n{self.log_path.read_text('utf-8')}")
            time.sleep(0.25)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def two_web_processes(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[WebProcess, WebProcess]]:
    work = tmp_path_factory.mktemp("chat-web")
    first = WebProcess(port=free_port(), log_path=work / "web1.log")
    second = WebProcess(port=free_port(), log_path=work / "web2.log")
    first.start()
    second.start()
    try:
        first.wait_ready()
        second.wait_ready()
        yield first, second
    finally:
        first.stop()
        second.stop()


def _cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def _open(web: WebProcess, cookie: str, after: int | None = None) -> ClientConnection:
    query = f"?after={after}" if after is not None else ""
    return await websockets.connect(
        f"{web.ws}/ws/chat/main/{query}",
        additional_headers={"Cookie": cookie},
        origin=Origin(f"http://127.0.0.1:{web.port}"),
    )


_pending: dict[int, list[dict[str, Any]]] = {}


async def _next(sock: ClientConnection, kind: str, timeout: float = 10) -> dict[str, Any]:  # noqa: ASYNC109
    """The next event of one type; others are kept for later calls on the same socket (an ack and
    the message itself can arrive in either order)."""
    pending = _pending.setdefault(id(sock), [])
    for index, event in enumerate(pending):
        if event["type"] == kind:
            return pending.pop(index)
    async with asyncio.timeout(timeout):
        while True:
            event = json.loads(await sock.recv())
            if event["type"] == kind:
                return event
            pending.append(event)


async def _close(sock: ClientConnection) -> None:
    _pending.pop(id(sock), None)
    await sock.close()


def test_a_message_written_on_one_process_arrives_on_the_other(two_web_processes, transactional_db):
    # given a viewer on the first process and a reporter on the second
    first, second = two_web_processes
    ada = UserFactory(display_name="Ada")
    bo = UserFactory(display_name="Bo", roles=["reporter"])
    ada_cookie, bo_cookie = _cookie(ada), _cookie(bo)

    async def scenario() -> tuple[dict, dict, dict, dict, dict]:
        ada_sock = await _open(first, ada_cookie)
        bo_sock = await _open(second, bo_cookie)
        try:
            await _next(ada_sock, "chat.history")
            await _next(bo_sock, "chat.history")
            # when Ada writes on process one
            await ada_sock.send(
                json.dumps({"type": "send", "body": "hi from one", "client_id": "a1"})
            )
            ack = await _next(ada_sock, "chat.ack")
            on_second = await _next(bo_sock, "chat.message")
            # and Bo answers on process two
            await bo_sock.send(
                json.dumps({"type": "send", "body": "hi from two", "client_id": "b1"})
            )
            on_first = await _next(ada_sock, "chat.message")
            while on_first["message"]["author"]["id"] != bo.pk:
                on_first = await _next(ada_sock, "chat.message")
            # and a refused message is told to its sender only
            await bo_sock.send(json.dumps({"type": "send", "body": "", "client_id": "b2"}))
            error = await _next(bo_sock, "chat.error")
            await ada_sock.send(json.dumps({"type": "ping"}))
            after_error = await _next(ada_sock, "pong")
            return ack, on_second, on_first, error, after_error
        finally:
            await _close(ada_sock)
            await _close(bo_sock)

    ack, on_second, on_first, error, _pong = async_to_sync(scenario)()

    # then each message reached the other process, stored first
    stored = list(ChatMessage.objects.order_by("id").values_list("id", "body", "author_id"))
    assert stored == [
        (ack["id"], "hi from one", ada.pk),
        (on_first["message"]["id"], "hi from two", bo.pk),
    ]
    assert ack["client_id"] == "a1"
    assert on_second["message"]["id"] == ack["id"]
    assert on_second["message"]["body"] == "hi from one"
    assert on_second["message"]["author"] == {
        "id": ada.pk,
        "name": "Ada",
        "tier": "viewer",
        "guest_expert": False,
    }
    assert (error["client_id"], error["code"]) == ("b2", "empty")


def test_a_client_whose_process_restarts_fetches_what_it_missed(
    two_web_processes, transactional_db
):
    # given Ada on the first process and Bo on the second, which has seen message one
    first, second = two_web_processes
    ada = UserFactory(display_name="Ada")
    bo = UserFactory(display_name="Bo")
    ada_cookie, bo_cookie = _cookie(ada), _cookie(bo)

    async def before_restart() -> int:
        ada_sock = await _open(first, ada_cookie)
        bo_sock = await _open(second, bo_cookie)
        try:
            await _next(ada_sock, "chat.history")
            await _next(bo_sock, "chat.history")
            await ada_sock.send(json.dumps({"type": "send", "body": "one", "client_id": "1"}))
            seen = await _next(bo_sock, "chat.message")
            return int(seen["message"]["id"])
        finally:
            await _close(bo_sock)
            await _close(ada_sock)

    last_seen = async_to_sync(before_restart)()

    # when the second process stops, Ada writes twice meanwhile, and the second comes back
    second.stop()

    async def while_down() -> None:
        ada_sock = await _open(first, ada_cookie)
        try:
            await _next(ada_sock, "chat.history")
            for body in ("two", "three"):
                await ada_sock.send(json.dumps({"type": "send", "body": body, "client_id": body}))
                await _next(ada_sock, "chat.ack")
        finally:
            await _close(ada_sock)

    async_to_sync(while_down)()
    second.start()
    second.wait_ready()

    async def reconnect() -> dict[str, Any]:
        bo_sock = await _open(second, bo_cookie, after=last_seen)
        try:
            return await _next(bo_sock, "chat.history")
        finally:
            await _close(bo_sock)

    catch_up = async_to_sync(reconnect)()

    # then Bo gets exactly the two messages he missed
    assert catch_up["catch_up"] is True
    assert [m["body"] for m in catch_up["messages"]] == ["two", "three"]
    assert catch_up["gap"] is False
