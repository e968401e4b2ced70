"""The ingest starts and stops with the ASGI server (lifespan)."""

from __future__ import annotations

import asyncio
import socket

import pytest
from asgiref.sync import async_to_sync

from ingest.lifespan import IngestLifespan, Message, Receive, Scope, Send
from tests.processes import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


async def _no_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The wrapped application: these tests send only lifespan messages, which never reach it."""


async def _accepts(port: int) -> bool:
    try:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    return True


def test_lifespan_opens_rtmp_and_closes_it(settings) -> None:
    settings.RTMP_HOST = "127.0.0.1"
    settings.RTMP_PORT = free_port()

    async def scenario() -> tuple[list[str], bool, bool]:
        inbox: asyncio.Queue = asyncio.Queue()
        sent: list[str] = []
        started = asyncio.Event()

        async def receive() -> Message:
            return await inbox.get()

        async def send(message: Message) -> None:
            sent.append(message["type"])
            started.set()

        app = IngestLifespan(_no_app)
        task = asyncio.create_task(app({"type": "lifespan"}, receive, send))
        await inbox.put({"type": "lifespan.startup"})
        await asyncio.wait_for(started.wait(), 10)
        open_while_running = await _accepts(settings.RTMP_PORT)
        await inbox.put({"type": "lifespan.shutdown"})
        await task
        await asyncio.sleep(0.05)
        return sent, open_while_running, await _accepts(settings.RTMP_PORT)

    sent, open_while_running, open_after = async_to_sync(scenario)()

    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert (open_while_running, open_after) == (True, False)


def test_a_taken_rtmp_port_does_not_stop_the_server(settings) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings.RTMP_HOST = "127.0.0.1"
        settings.RTMP_PORT = taken.getsockname()[1]

        async def scenario() -> list[str]:
            messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
            sent: list[str] = []

            async def receive() -> Message:
                return next(messages)

            async def send(message: Message) -> None:
                sent.append(message["type"])

            await IngestLifespan(_no_app)({"type": "lifespan"}, receive, send)
            return sent

        assert async_to_sync(scenario)() == [
            "lifespan.startup.complete",
            "lifespan.shutdown.complete",
        ]
