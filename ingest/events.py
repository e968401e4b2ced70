"""What the ingest tells browsers: group names and event payloads, in one place.

State changes go through `fieldcast.core.events.publish` after commit (they must reach a browser
whichever process made them). Previews and stats come from the media loop, which runs in the web
process: they are sent straight to the channel layer, never through the database.
"""

from __future__ import annotations

from typing import Any

from channels.layers import get_channel_layer

from fieldcast.core import events as core_events
from ingest.models import LiveSource, SourceState

EDITORS_GROUP = "ingest.sources"


def source_group(source_key: str) -> str:
    """The group of the reporter's go-live page for one source."""
    return f"ingest.source.{source_key}"


def source_state_event(source: LiveSource) -> dict[str, Any]:
    """The "source.state" event: all the sources page and the go-live page need to redraw it."""
    return {
        "type": "source.state",
        "source": str(source.key),
        "state": source.state,
        "state_label": str(SourceState(source.state).label),
        "reason": source.state_reason,
        "connected": source.connected,
        "protocol": source.protocol,
        "title": source.title,
        "reporter": source.reporter.public_name,
    }


def publish_state(source: LiveSource) -> None:
    """Send a source's state to editors and to its reporter (call it after commit)."""
    event = source_state_event(source)
    core_events.publish(group=EDITORS_GROUP, event=event)
    core_events.publish(group=source_group(str(source.key)), event=event)


async def send_media_event(*, source_key: str, event: dict[str, Any], to_reporter: bool) -> None:
    """Previews and stats, from the media loop straight to the channel layer (no database)."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": core_events.MESSAGE_TYPE, "event": event}
    await layer.group_send(EDITORS_GROUP, message)
    if to_reporter:
        await layer.group_send(source_group(source_key), message)
