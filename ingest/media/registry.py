"""The registry of this process's live publishing: sessions and running sources, any protocol.

`LiveIngest` holds every publishing session (a WHIP peer connection, an RTMP or SRT connection)
and every running `SourceRuntime`, starts a source's runtime on its first publish, keeps it
through reconnects and the grace period, and closes everything on shutdown. The protocols
(`whip`, `rtmp`, `srt`) make their sessions and feed frames; the database is reached only through
the `SourceReporter`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import NotAuthenticated, PermissionDenied
from ingest.media.background import spawn
from ingest.media.pipeline import SourceRuntime
from ingest.media.reporting import ServiceReporter, SourceReporter
from ingest.models import StreamKey
from ingest.services import PublishGrant

logger = logging.getLogger(__name__)


@dataclass
class PublishSession:
    """One publishing connection feeding a source (a WHIP peer connection, an RTMP socket...)."""

    session_id: str
    user_id: int
    source_id: int
    source_key: str
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    closing: bool = False

    async def close(self) -> None:
        self.closing = True
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.hang_up()

    async def hang_up(self) -> None:
        """Close the connection itself."""


# The kind of session a protocol makes: `begin` hands the same kind back.
SessionT = TypeVar("SessionT", bound=PublishSession)


class LiveIngest:
    """The registry of this process's publishing sessions and running sources."""

    def __init__(self, reporter: SourceReporter | None = None) -> None:
        self.reporter: SourceReporter = reporter or ServiceReporter()
        self.sessions: dict[str, PublishSession] = {}
        self.runtimes: dict[int, SourceRuntime] = {}
        self._watchers: dict[int, asyncio.Task[None]] = {}
        self._grace: dict[int, asyncio.Task[None]] = {}
        self._lock = asyncio.Lock()

    # --- publish ----------------------------------------------------------------------------
    async def authorize(self, secret: str) -> StreamKey:
        """The key's row, or the refusal (401 unknown, 403 revoked) before any media work."""
        key = await self.reporter.key_for_secret(secret)
        if key is None:
            raise NotAuthenticated(
                _("This stream key is not valid. Check it on your profile page."),
                code=ErrorCode.INVALID_STREAM_KEY,
            )
        if key.revoked_at is not None:
            raise PermissionDenied(
                _("This stream key was revoked. Create a new one on your profile page."),
                code=ErrorCode.STREAM_KEY_REVOKED,
            )
        return key

    async def begin(
        self,
        *,
        secret: str,
        protocol: str,
        title: str,
        make_session: Callable[[PublishGrant, str], SessionT],
    ) -> tuple[SessionT, SourceRuntime]:
        """Start or continue the key's source with a new session (replacing a connected one)."""
        session_id = uuid.uuid4().hex
        grant = await self.reporter.publish_start(
            secret=secret, protocol=protocol, session_id=session_id, title=title
        )
        session = make_session(grant, session_id)
        async with self._lock:
            if grant.replaced_session and grant.replaced_session in self.sessions:
                old = self.sessions.pop(grant.replaced_session)
                await old.close()
            grace = self._grace.pop(grant.source_id, None)
            if grace is not None:
                grace.cancel()
            runtime = self.runtimes.get(grant.source_id)
            if runtime is None or runtime.finished:
                runtime = self._start_runtime(grant.source_id, grant.source_key)
            self.sessions[session_id] = session
        return session, runtime

    def _start_runtime(self, source_id: int, source_key: str) -> SourceRuntime:
        runtime = SourceRuntime(
            source_id=source_id,
            source_key=source_key,
            reporter=self.reporter,
            recordings_dir=Path(settings.LIVE_RECORDINGS_DIR),
            preview_fps=settings.LIVE_PREVIEW_FPS,
            on_finished=self._forget_runtime,
        )
        runtime.start()
        self.runtimes[source_id] = runtime
        self._watchers[source_id] = asyncio.create_task(self._watch_stop(runtime))
        return runtime

    def _forget_runtime(self, runtime: SourceRuntime) -> None:
        if self.runtimes.get(runtime.source_id) is runtime:
            del self.runtimes[runtime.source_id]

    async def _watch_stop(self, runtime: SourceRuntime) -> None:
        """An editor rejected or killed the source (the stats loop saw it): hang up."""
        await runtime.stop_requested.wait()
        await self._finish_source(runtime.source_id)

    # --- drops, ends, shutdown --------------------------------------------------------------
    async def dropped(self, session: PublishSession) -> None:
        """The connection failed: keep the source for the grace period, then end it.

        Often called from one of the session's own tasks (a stalled or ended track), which
        `session.close()` cancels: the rest runs in a task of its own so it cannot be cut short."""
        if session.closing:
            return
        session.closing = True
        self.sessions.pop(session.session_id, None)
        spawn(self._after_drop(session), name=f"dropped-{session.session_id}")

    async def _after_drop(self, session: PublishSession) -> None:
        try:
            await session.close()
            await self.reporter.disconnected(
                source_id=session.source_id, session_id=session.session_id
            )
        finally:
            runtime = self.runtimes.get(session.source_id)
            if session.source_id not in self._grace and runtime is not None:
                self._grace[session.source_id] = asyncio.create_task(
                    self._end_after_grace(session.source_id)
                )

    async def _end_after_grace(self, source_id: int) -> None:
        await asyncio.sleep(settings.LIVE_RECONNECT_GRACE_SECONDS + 0.5)
        self._grace.pop(source_id, None)
        if await self.reporter.end_if_abandoned(source_id=source_id):
            await self._finish_source(source_id)

    async def end(self, *, session_id: str, secret: str) -> None:
        """WHIP DELETE: the publisher ends its session, and so the source.

        A session this process does not hold (several ingest nodes behind one address) is ended
        through the database: the node holding it notices within a second and hangs up."""
        session = self.sessions.get(session_id)
        if session is None:
            await self.reporter.end_elsewhere(session_id=session_id, secret=secret)
            return
        key = await self.reporter.key_for_secret(secret)
        if key is None:
            raise NotAuthenticated(
                _("This stream key is not valid."), code=ErrorCode.INVALID_STREAM_KEY
            )
        if key.user_id != session.user_id:
            raise PermissionDenied(
                _("This live session is not yours."), code=ErrorCode.NOT_YOUR_SESSION
            )
        await self.reporter.end(source_id=session.source_id, session_id=session_id)
        await self._finish_source(session.source_id)

    async def end_session(self, session: PublishSession, *, reason: str = "") -> None:
        """The publisher's own connection ended the stream (RTMP deleteStream, a refused codec)."""
        if session.session_id not in self.sessions:
            return
        session.closing = True
        await self.reporter.end(
            source_id=session.source_id, session_id=session.session_id, reason=reason
        )
        await self._finish_source(session.source_id)

    async def _finish_source(self, source_id: int) -> None:
        for session in [s for s in self.sessions.values() if s.source_id == source_id]:
            self.sessions.pop(session.session_id, None)
            await session.close()
        grace = self._grace.pop(source_id, None)
        if grace is not None and grace is not asyncio.current_task():
            grace.cancel()
        watcher = self._watchers.pop(source_id, None)
        if watcher is not None and watcher is not asyncio.current_task():
            watcher.cancel()
        runtime = self.runtimes.get(source_id)
        if runtime is not None:
            # Shielded: the caller may be the publisher's own connection task (an RTMP
            # unpublish), cancelled as the connection closes; the recording must still be handed
            # over.
            await asyncio.shield(runtime.finish())

    async def close_all(self) -> None:
        """Shutdown: hang up every peer connection; sources wait for a reconnect elsewhere."""
        for session in list(self.sessions.values()):
            await session.close()
        self.sessions.clear()
        for task in [*self._grace.values(), *self._watchers.values()]:
            task.cancel()
        for runtime in list(self.runtimes.values()):
            await runtime.finish()


_ingests: dict[asyncio.AbstractEventLoop, LiveIngest] = {}


def live_ingest() -> LiveIngest:
    """This event loop's registry (one per process in production; tests run a loop per test)."""
    loop = asyncio.get_running_loop()
    ingest = _ingests.get(loop)
    if ingest is None:
        for stale in [other for other in _ingests if other.is_closed()]:
            del _ingests[stale]
        ingest = _ingests[loop] = LiveIngest()
    return ingest
