"""Start and stop the live ingest with the ASGI server (lifespan protocol).

Wrap the ASGI application with `IngestLifespan` and run uvicorn with lifespan on: at startup the
RTMP listener opens in the server's event loop (beside the WHIP endpoint), at shutdown every peer
connection and listener is closed. A port that is taken is logged, not fatal: the web keeps running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings

from ingest.media.registry import live_ingest
from ingest.media.rtmp import start_rtmp_server
from ingest.program.engine import program_engine

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_servers: list[asyncio.Server] = []


async def ingest_startup() -> None:
    """Open the configured listeners (RTMP_PORT=0 disables RTMP)."""
    if settings.RTMP_PORT:
        try:
            server = await start_rtmp_server(host=settings.RTMP_HOST, port=settings.RTMP_PORT)
        except OSError as error:
            logger.error(
                "RTMP ingest not started on %s:%s: %s",
                settings.RTMP_HOST,
                settings.RTMP_PORT,
                error,
            )
        else:
            _servers.append(server)
            logger.info("RTMP ingest on rtmp://%s:%s/live/", settings.RTMP_HOST, settings.RTMP_PORT)
    await program_engine().start()


async def ingest_shutdown() -> None:
    """Close the listeners and hang up every publisher of this process."""
    await program_engine().stop()
    while _servers:
        _servers.pop().close()
    await live_ingest().close_all()


class IngestLifespan:
    """ASGI wrapper answering the lifespan protocol; everything else goes to `app`."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await ingest_startup()
                except Exception as error:  # noqa: BLE001 - reported to the server as failed
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await ingest_shutdown()
                finally:
                    await send({"type": "lifespan.shutdown.complete"})
                return
