"""The narrow interface between the media loop and the database.

The media code (aiortc tracks, RTMP, SRT) reports what happened through a `SourceReporter`; the
implementation here calls the services in a worker thread, so a slow database never holds up a
frame. Tests can pass their own reporter.
"""

from __future__ import annotations

from typing import Any, Protocol

from asgiref.sync import sync_to_async

from ingest import selectors, services
from ingest.models import StreamKey


class SourceReporter(Protocol):
    async def key_for_secret(self, secret: str) -> StreamKey | None: ...

    async def publish_start(
        self, *, secret: str, protocol: str, session_id: str
    ) -> services.PublishGrant: ...

    async def first_frame(self, *, source_id: int, session_id: str) -> None: ...

    async def disconnected(self, *, source_id: int, session_id: str) -> None: ...

    async def end(self, *, source_id: int, session_id: str | None) -> None: ...

    async def end_if_abandoned(self, *, source_id: int) -> bool: ...

    async def stats(self, *, source_id: int, stats: dict[str, Any]) -> None: ...

    async def recording_finished(self, *, source_id: int, path: str | None) -> None: ...

    async def state(self, *, source_id: int) -> str: ...


class ServiceReporter:
    """Reports to the ingest services, each call in Django's sync thread."""

    async def key_for_secret(self, secret: str) -> StreamKey | None:
        return await sync_to_async(selectors.stream_key_for_secret)(secret=secret)

    async def publish_start(
        self, *, secret: str, protocol: str, session_id: str
    ) -> services.PublishGrant:
        return await sync_to_async(services.source_publish_start)(
            secret=secret, protocol=protocol, session_id=session_id
        )

    async def first_frame(self, *, source_id: int, session_id: str) -> None:
        await sync_to_async(services.source_mark_live)(source_id=source_id, session_id=session_id)

    async def disconnected(self, *, source_id: int, session_id: str) -> None:
        await sync_to_async(services.source_disconnected)(
            source_id=source_id, session_id=session_id
        )

    async def end(self, *, source_id: int, session_id: str | None) -> None:
        await sync_to_async(services.source_end)(source_id=source_id, session_id=session_id)

    async def end_if_abandoned(self, *, source_id: int) -> bool:
        source = await sync_to_async(services.source_end_if_abandoned)(source_id=source_id)
        return source.is_finished

    async def stats(self, *, source_id: int, stats: dict[str, Any]) -> None:
        await sync_to_async(services.source_store_stats)(source_id=source_id, stats=stats)

    async def recording_finished(self, *, source_id: int, path: str | None) -> None:
        await sync_to_async(services.source_recording_finish)(source_id=source_id, path=path)

    async def state(self, *, source_id: int) -> str:
        return await sync_to_async(selectors.source_state)(source_id=source_id)
