"""The personal websocket, /ws/me/: events about the signed-in person's own things.

Today: the upload page's "video.progress" and "video.state" events from the transcode worker.
Which process sent an event, and how it travelled, is `fieldcast.core.events`' business.
"""

from __future__ import annotations

from typing import Any

from fieldcast.core import events
from fieldcast.core.websockets import JsonWebsocketConsumer

CLOSE_NOT_AUTHENTICATED = 4401


class MeConsumer(JsonWebsocketConsumer):
    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        events.ensure_relay()
        self.group_name = events.user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The socket only speaks; a client's "ping" keeps proxies from closing it.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def relay_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
