"""The narrow interface between the media loop and the database.

The media code (aiortc tracks, RTMP, SRT) reports what happened through a `SourceReporter`; the
implementation here calls the services in a worker thread, so a slow database never holds up a
frame. Tests can pass their own reporter.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from django.db import InterfaceError, OperationalError, connections

from ingest import selectors, services
from ingest.models import StreamKey


class SourceReporter(Protocol):
    async def key_for_secret(self, secret: str) -> StreamKey | None: ...

    async def publish_start(
        self, *, secret: str, protocol: str, session_id: str, title: str = ""
    ) -> services.PublishGrant: ...

    async def first_frame(self, *, source_id: int, session_id: str) -> None: ...

    async def disconnected(self, *, source_id: int, session_id: str) -> None: ...

    async def end(self, *, source_id: int, session_id: str | None, reason: str = "") -> None: ...

    async def end_if_abandoned(self, *, source_id: int) -> bool: ...

    async def end_elsewhere(self, *, session_id: str, secret: str) -> None: ...

    async def stats(self, *, source_id: int, stats: dict[str, Any]) -> None: ...

    async def recording_finished(self, *, source_id: int, path: str | None) -> None: ...

    async def state(self, *, source_id: int) -> str: ...


T = TypeVar("T")

# One thread (and so one database connection) for every report of this process. Not asgiref's
# sync_to_async: the media tasks outlive the WHIP request that started them, and a thread-sensitive
# call from them would be bound to that finished request's executor.
_db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-db")


def _call(fn: Callable[..., T], kwargs: dict[str, Any]) -> T:
    try:
        return fn(**kwargs)
    except (InterfaceError, OperationalError):
        connections.close_all()  # reconnect on the next call
        raise


async def in_db_thread(fn: Callable[..., T], **kwargs: Any) -> T:
    """Run a service or selector in the ingest's database thread."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_db_thread, functools.partial(_call, fn, kwargs))


class ServiceReporter:
    """Reports to the ingest services, each call in the ingest's database thread."""

    async def key_for_secret(self, secret: str) -> StreamKey | None:
        return await in_db_thread(selectors.stream_key_for_secret, secret=secret)

    async def publish_start(
        self, *, secret: str, protocol: str, session_id: str, title: str = ""
    ) -> services.PublishGrant:
        return await in_db_thread(
            services.source_publish_start,
            secret=secret,
            protocol=protocol,
            session_id=session_id,
            title=title,
        )

    async def first_frame(self, *, source_id: int, session_id: str) -> None:
        await in_db_thread(services.source_mark_live, source_id=source_id, session_id=session_id)

    async def disconnected(self, *, source_id: int, session_id: str) -> None:
        await in_db_thread(services.source_disconnected, source_id=source_id, session_id=session_id)

    async def end(self, *, source_id: int, session_id: str | None, reason: str = "") -> None:
        await in_db_thread(
            services.source_end, source_id=source_id, session_id=session_id, reason=reason
        )

    async def end_if_abandoned(self, *, source_id: int) -> bool:
        source = await in_db_thread(services.source_end_if_abandoned, source_id=source_id)
        return source.is_finished

    async def end_elsewhere(self, *, session_id: str, secret: str) -> None:
        await in_db_thread(services.source_end_by_session, session_id=session_id, secret=secret)

    async def stats(self, *, source_id: int, stats: dict[str, Any]) -> None:
        await in_db_thread(services.source_store_stats, source_id=source_id, stats=stats)

    async def recording_finished(self, *, source_id: int, path: str | None) -> None:
        await in_db_thread(services.source_recording_finish, source_id=source_id, path=path)

    async def state(self, *, source_id: int) -> str:
        return await in_db_thread(selectors.source_state, source_id=source_id)
