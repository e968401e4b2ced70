"""Studio websockets.

* ``/ws/studio/<slug>/`` (editors only): the program's studio state on every change, the engine's
  stats every second, and the switcher's commands from the page
  (``{"type": "command", "id": n, "action": "cut", ...}`` → ``command.ok`` / ``command.error``).
* ``/ws/live/<slug>/`` (public, read-only): what is on air now, for the viewer page.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from fieldcast.accounts.models import User
from fieldcast.core import events as core_events
from fieldcast.core.errors import ApplicationError, NotFound
from fieldcast.core.websockets import JsonWebsocketConsumer
from ingest.program import selectors, services

CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


class _ProgramConsumer(JsonWebsocketConsumer):
    group_name: str | None = None
    slug: str = ""

    async def join(self, group: str) -> None:
        core_events.ensure_relay()
        self.group_name = group
        await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def relay_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])


def _studio_state(slug: str, user: User) -> dict[str, Any]:
    program = selectors.program_for_slug(slug=slug)
    return selectors.program_studio_state(program=program, user=user)


def _run_command(slug: str, user: User, action: str, params: dict[str, Any]) -> None:
    services.program_command(slug=slug, editor=user, action=action, params=params)


class StudioConsumer(_ProgramConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        if not await database_sync_to_async(selectors.can_operate_studio)(user):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.slug = str(self.scope["url_route"]["kwargs"]["slug"])
        try:
            state = await database_sync_to_async(_studio_state)(self.slug, user)
        except NotFound:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.join(services.studio_group(self.slug))
        await self.send_json(state)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
            return
        if content.get("type") != "command":
            return
        command_id = content.get("id")
        action = str(content.get("action") or "")
        params = {k: v for k, v in content.items() if k not in ("type", "id", "action")}
        user = self.scope["user"]
        try:
            # The editor may have lost the role since connecting: the service checks every time.
            await database_sync_to_async(_run_command)(self.slug, user, action, params)
        except ApplicationError as error:
            await self.send_json(
                {
                    "type": "command.error",
                    "id": command_id,
                    "action": action,
                    **error.as_dict()["error"],
                }
            )
            return
        await self.send_json({"type": "command.ok", "id": command_id, "action": action})


class LiveConsumer(_ProgramConsumer):
    async def connect(self) -> None:
        self.slug = str(self.scope["url_route"]["kwargs"]["slug"])
        try:
            program = await database_sync_to_async(selectors.program_for_slug)(slug=self.slug)
        except NotFound:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        state = await database_sync_to_async(selectors.program_public_state)(program)
        await self.join(services.live_group(self.slug))
        await self.send_json(state)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
