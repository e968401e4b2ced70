"""Websocket events from any process, decided once for the whole project
(docs/architecture.md, "Events between processes").

`publish(group=..., event=...)` is the only way code sends an event to browsers. Call it from
`transaction.on_commit` so nobody hears about a change that was rolled back.

* Scaled mode (a Redis channel layer): a plain `group_send`; every process reaches every group.
* Embedded mode (`InMemoryChannelLayer`): the layer lives inside the web process, which a Celery
  worker cannot reach. The event is written to the `RelayedEvent` table instead, and the web
  process runs ONE relay task (started by the first websocket consumer that connects) that polls
  the table, group-sends new rows to its in-memory layer and prunes rows older than a minute.

Consumers receive every event as a channel-layer message of type ``relay.event`` whose ``event``
key holds the dict given to `publish`; they never know which mode carried it.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone

from fieldcast.core.models import RelayedEvent

logger = logging.getLogger(__name__)

MESSAGE_TYPE = "relay.event"
POLL_SECONDS = 0.25
KEEP_SECONDS = 60


def embedded_mode() -> bool:
    """True when the channel layer cannot be reached from another process."""
    backend = str(settings.CHANNEL_LAYERS["default"]["BACKEND"])
    return backend.endswith("InMemoryChannelLayer")


def user_group(user_id: int) -> str:
    """The group every websocket of one person joins (the /ws/me/ consumer)."""
    return f"user.{user_id}"


def publish(*, group: str, event: dict[str, Any]) -> None:
    """Send `event` (JSON-serialisable, with a "type" key) to every socket in `group`."""
    if embedded_mode():
        RelayedEvent.objects.create(group=group, payload=event)
        # The relay prunes too, but only runs once a socket connected: keep the table small.
        RelayedEvent.objects.filter(
            created_at__lt=timezone.now() - timedelta(seconds=KEEP_SECONDS)
        ).delete()
        return
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    message = {"type": MESSAGE_TYPE, "event": event}
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        send(group, message)
        return
    # Sync code on a thread that also runs an event loop (Playwright's sync API in tests):
    # async_to_sync refuses to block that loop, so send from a helper thread.
    with ThreadPoolExecutor(max_workers=1) as helper:
        helper.submit(send, group, message).result()


# --- The embedded relay ------------------------------------------------------------------------
# One task per process (and per event loop: tests start a new loop per test).
_relay_task: asyncio.Task[None] | None = None


def ensure_relay() -> None:
    """Start the relay in the running loop if this is the embedded mode and none runs yet."""
    global _relay_task
    if not embedded_mode():
        return
    loop = asyncio.get_running_loop()
    if _relay_task is not None and not _relay_task.done() and _relay_task.get_loop() is loop:
        return
    _relay_task = loop.create_task(_relay_forever(), name="fieldcast-event-relay")


async def stop_relay() -> None:
    """Cancel the relay (tests; a process normally keeps it until exit)."""
    global _relay_task
    task, _relay_task = _relay_task, None
    if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass


@database_sync_to_async
def _start_id() -> int:
    """Relay from a few seconds back: an event written while the first socket connected still
    arrives (events carry the full current state, so a repeat does no harm)."""
    since = timezone.now() - timedelta(seconds=5)
    first_recent = (
        RelayedEvent.objects.filter(created_at__gte=since)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if first_recent is not None:
        return int(first_recent) - 1
    latest = RelayedEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return int(latest or 0)


@database_sync_to_async
def _rows_after(last_id: int) -> list[tuple[int, str, dict[str, Any]]]:
    rows = RelayedEvent.objects.filter(id__gt=last_id).order_by("id")[:500]
    return [(row.id, row.group, row.payload) for row in rows]


@database_sync_to_async
def _prune() -> None:
    RelayedEvent.objects.filter(
        created_at__lt=timezone.now() - timedelta(seconds=KEEP_SECONDS)
    ).delete()


async def _relay_forever() -> None:
    layer = get_channel_layer()
    assert layer is not None  # noqa: S101 - channels is configured in settings
    last_id = await _start_id()
    polls = 0
    while True:
        try:
            for row_id, group, payload in await _rows_after(last_id):
                last_id = row_id
                await layer.group_send(group, {"type": MESSAGE_TYPE, "event": payload})
            polls += 1
            if polls % 40 == 0:
                await _prune()
        except asyncio.CancelledError:
            raise
        except Exception:
            # A locked SQLite file or a dropped connection must not end live updates for good.
            logger.exception("event relay poll failed")
        await asyncio.sleep(POLL_SECONDS)
