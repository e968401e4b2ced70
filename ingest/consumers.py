"""Live websockets: the editors' sources page and the reporter's go-live page.

Both only listen. State events travel through `fieldcast.core.events` (any process); previews and
stats come straight from the media loop (`ingest.events.send_media_event`).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from fieldcast.accounts import roles
from fieldcast.core import events as core_events
from fieldcast.core.errors import NotFound
from fieldcast.core.websockets import JsonWebsocketConsumer
from ingest import events, selectors, services

CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class _ListeningConsumer(JsonWebsocketConsumer):
    group_name: str | None = None

    async def join(self, group: str) -> None:
        core_events.ensure_relay()
        self.group_name = group
        await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def relay_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])


class SourcesConsumer(_ListeningConsumer):
    """/ws/live/sources/: every source's state, preview and stats, for editors."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        if not await database_sync_to_async(roles.has_role_permission)(user, "moderate_content"):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        # Sources whose ingest died would stay "live" forever: end them before showing the grid.
        await database_sync_to_async(services.sources_end_stale)()
        await self.join(events.EDITORS_GROUP)


class SourceConsumer(_ListeningConsumer):
    """/ws/live/sources/<key>/: one source's state and stats, for the reporter who sends it."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        source_key = str(self.scope["url_route"]["kwargs"]["source_key"])
        try:
            source = await database_sync_to_async(selectors.source_for_reporter)(
                source_key=source_key, user=user
            )
        except NotFound:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.join(events.source_group(source_key))
        # The state may have changed before the page connected: say it now.
        await self.send_json(events.source_state_event(source))
