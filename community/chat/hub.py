"""One listener per web process for every chat socket in it: the fan-out of the live chat.

If each chat socket joined the channel's group itself, one message to a channel watched by 1,000
people would be 1,000 channel-layer messages (1,000 Redis writes, 1,000 reads and decodes, split
over the web processes). Instead the process joins the group ONCE per chat channel, with one
layer channel of its own, and hands each event to its local sockets: one layer message per
process, one JSON encoding, then a plain websocket write per socket.

Events still travel only through `fieldcast.core.events.publish` (Redis in the scaled mode, the
database relay in the embedded one); this module is the receiving end. One hub per event loop
(tests start a new loop per test).
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from collections import defaultdict
from typing import Any, Protocol

from channels.layers import BaseChannelLayer, get_channel_layer

from community.chat.selectors import channel_group

logger = logging.getLogger(__name__)

# channels-redis forgets a group member after `group_expiry` (a day by default): join again often.
REFRESH_SECONDS = 600


class ChatSocket(Protocol):
    async def send(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None: ...


class ChatHub:
    def __init__(self, layer: BaseChannelLayer) -> None:
        self.layer = layer
        self.members: dict[str, set[ChatSocket]] = defaultdict(set)
        self.channel_name: str | None = None
        self._listener: asyncio.Task[None] | None = None
        self._refresher: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def join(self, slug: str, socket: ChatSocket) -> None:
        """Send `slug`'s events to `socket` from now on (returns once the group is joined)."""
        layer = self.layer
        async with self._lock:
            if self.channel_name is None:
                self.channel_name = await layer.new_channel()
                self._listener = asyncio.create_task(self._listen(), name="chat-hub")
                self._refresher = asyncio.create_task(self._refresh(), name="chat-hub-refresh")
            first = not self.members[slug]
            self.members[slug].add(socket)
            if first:
                await layer.group_add(channel_group(slug), self.channel_name)

    async def leave(self, slug: str, socket: ChatSocket) -> None:
        layer = self.layer
        async with self._lock:
            members = self.members.get(slug)
            if not members:
                return
            members.discard(socket)
            if not members:
                del self.members[slug]
                if self.channel_name is not None:
                    await layer.group_discard(channel_group(slug), self.channel_name)

    async def deliver(self, event: dict[str, Any]) -> int:
        """Write one event to every local socket of its chat channel; returns how many."""
        members = self.members.get(str(event.get("channel", "")))
        if not members:
            return 0
        text = json.dumps(event)
        sent = 0
        for socket in list(members):
            try:
                await socket.send(text_data=text)
                sent += 1
            except Exception:
                # A socket closing at this moment must not keep the others from their message.
                logger.debug("chat socket send failed", exc_info=True)
        return sent

    async def _listen(self) -> None:
        layer = self.layer
        assert self.channel_name is not None  # noqa: S101
        while True:
            try:
                message = await layer.receive(self.channel_name)
                await self.deliver(message.get("event") or {})
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("chat hub receive failed")
                await asyncio.sleep(0.5)

    def stop(self) -> None:
        for task in (self._listener, self._refresher):
            if task is not None and not task.done():
                task.cancel()

    async def _refresh(self) -> None:
        layer = self.layer
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            async with self._lock:
                for slug in list(self.members):
                    if self.channel_name is not None:
                        await layer.group_add(channel_group(slug), self.channel_name)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ChatHub] = weakref.WeakKeyDictionary()


def chat_hub() -> ChatHub:
    """This event loop's hub (a new one if the channel layer was replaced, as tests do)."""
    loop = asyncio.get_running_loop()
    layer = get_channel_layer()
    assert layer is not None  # noqa: S101 - channels is configured in settings
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        if hub is not None:
            hub.stop()
        hub = _hubs[loop] = ChatHub(layer)
    return hub
