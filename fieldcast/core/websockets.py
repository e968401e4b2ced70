"""One decode step for every JSON websocket: a frame that is not a JSON text closes the socket.

Channels' AsyncJsonWebsocketConsumer lets `json.loads` raise on a bad frame: the connection was
dropped without a close frame and an ERROR traceback was logged for what is the client's mistake.
Here a binary frame, a frame over WEBSOCKET_MAX_FRAME_BYTES, text that is not JSON, or JSON nested
deeper than API_JSON_MAX_DEPTH closes the socket with code 4400 and one WARNING line.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from rest_framework.exceptions import ParseError

from fieldcast.core.parsers import loads_limited, max_depth

logger = logging.getLogger(__name__)

CLOSE_BAD_FRAME = 4400


class JsonWebsocketConsumer(AsyncJsonWebsocketConsumer):
    """The base of every Fieldcast websocket consumer: decodes frames with limits, closes on bad
    ones."""

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if text_data is None:
            await self.refuse_frame("a binary frame")
            return
        limit = int(settings.WEBSOCKET_MAX_FRAME_BYTES)
        if len(text_data) > limit:
            await self.refuse_frame(f"a frame over {limit} bytes")
            return
        try:
            content = loads_limited(text_data, depth_limit=max_depth())
        except ParseError:
            await self.refuse_frame("a frame that is not JSON (or nests too deeply)")
            return
        await self.receive_json(content, **kwargs)

    async def refuse_frame(self, what: str) -> None:
        logger.warning(
            "websocket %s: closed (%d) after %s",
            self.scope.get("path", "?"),
            CLOSE_BAD_FRAME,
            what,
        )
        await self.close(code=CLOSE_BAD_FRAME)
