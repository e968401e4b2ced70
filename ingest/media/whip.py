"""WHIP sessions (RFC 9725) on aiortc, inside the web process's event loop.

`LiveIngest` is the registry: every peer connection and every running source of this process,
closed together on shutdown. The HTTP views only parse and render; everything else is here or in
the services (through the reporter).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiortc import MediaStreamTrack, RTCPeerConnection
from aiortc.mediastreams import MediaStreamError
from django.conf import settings
from django.utils.translation import gettext as _

from fieldcast.core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from ingest.media.background import spawn
from ingest.media.ice import answer_offer, ice_configuration
from ingest.media.pipeline import SourceRuntime
from ingest.media.reporting import ServiceReporter, SourceReporter
from ingest.models import StreamKey
from ingest.services import PublishGrant

logger = logging.getLogger(__name__)

MAX_OFFER_BYTES = 64 * 1024
VIDEO_CODECS = ("H264", "VP8")
AUDIO_CODECS = ("opus",)
NEGOTIATION_TIMEOUT_SECONDS = 10.0
# A picture frozen while packets still arrive is hung up only after this many LIVE_STALL_SECONDS.
STALL_FROZEN_FACTOR = 3
_RTPMAP = re.compile(r"^a=rtpmap:\d+ ([A-Za-z0-9-]+)/", re.MULTILINE)


def check_offer(sdp: str) -> None:
    """Refuse, with a message a person can act on, an offer we cannot take."""
    if not sdp.strip():
        raise ValidationFailed(_("The request has no SDP offer."), code="malformed_sdp")
    if not sdp.lstrip().startswith("v=0"):
        raise ValidationFailed(
            _("The SDP offer is malformed: it must start with “v=0”."), code="malformed_sdp"
        )
    sections = re.split(r"\r?\n(?=m=)", sdp)
    video = [section for section in sections[1:] if section.startswith("m=video")]
    if not video:
        raise ValidationFailed(
            _("The SDP offer has no video: WHIP publishing needs a video track."),
            code="no_video",
        )
    codecs = {name.upper() for section in video for name in _RTPMAP.findall(section)}
    if not codecs & set(VIDEO_CODECS):
        raise ValidationFailed(
            _("The video codec is not supported: offer H.264 or VP8."), code="unsupported_codec"
        )
    if any(section.startswith("m=video") and "a=recvonly" in section for section in video):
        raise ValidationFailed(
            _("This endpoint receives video: the offer must send it."), code="malformed_sdp"
        )


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


@dataclass
class WhipSession(PublishSession):
    pc: RTCPeerConnection | None = None

    async def hang_up(self) -> None:
        if self.pc is not None:
            await self.pc.close()


class LiveIngest:
    """The registry of this process's WHIP peer connections and running sources."""

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
                code="invalid_stream_key",
            )
        if key.revoked_at is not None:
            raise PermissionDenied(
                _("This stream key was revoked. Create a new one on your profile page."),
                code="stream_key_revoked",
            )
        return key

    async def begin(
        self,
        *,
        secret: str,
        protocol: str,
        title: str,
        make_session: Callable[[PublishGrant, str], PublishSession],
    ) -> tuple[PublishSession, SourceRuntime]:
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

    async def publish(
        self, *, secret: str, offer_sdp: str, title: str = ""
    ) -> tuple[PublishSession, str]:
        """WHIP: authenticate, negotiate and start (or resume) a source. Returns the session and
        the SDP answer. No peer connection exists unless the key is good and the offer sane."""
        key = await self.authorize(secret)
        check_offer(offer_sdp)
        pc = RTCPeerConnection(ice_configuration())
        tracks: list[MediaStreamTrack] = []
        pc.on("track", tracks.append)
        try:
            answer = await asyncio.wait_for(
                self._negotiate(pc, offer_sdp), NEGOTIATION_TIMEOUT_SECONDS
            )
        except ValidationFailed:
            await pc.close()
            raise
        except Exception as error:
            await pc.close()
            logger.info("WHIP offer refused: %s", error)
            raise ValidationFailed(
                _("The SDP offer could not be used: %(error)s") % {"error": str(error)[:200]},
                code="malformed_sdp",
            ) from error
        if not any(track.kind == "video" for track in tracks):
            await pc.close()
            raise ValidationFailed(
                _("The SDP offer has no video: WHIP publishing needs a video track."),
                code="no_video",
            )
        try:
            session, runtime = await self.begin(
                secret=secret,
                protocol="whip",
                title=title,
                make_session=lambda grant, session_id: WhipSession(
                    session_id=session_id,
                    user_id=key.user_id,
                    source_id=grant.source_id,
                    source_key=grant.source_key,
                    pc=pc,
                ),
            )
        except BaseException:
            await pc.close()
            raise
        runtime.attach(session_id=session.session_id, stats_probe=lambda: _transport_stats(pc))
        if any(track.kind == "audio" for track in tracks):
            runtime.expect_audio()
        session.tasks.append(
            asyncio.create_task(
                self._watch_stall(session, runtime), name=f"stall-{session.session_id}"
            )
        )
        for track in tracks:
            session.tasks.append(
                asyncio.create_task(
                    self._consume(session, runtime, track),
                    name=f"{track.kind}-{session.session_id}",
                )
            )

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState in ("failed", "closed") and not session.closing:
                await self.dropped(session)

        return session, answer

    async def _negotiate(self, pc: RTCPeerConnection, offer_sdp: str) -> str:
        return await answer_offer(pc, offer_sdp)

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

    async def _consume(
        self, session: PublishSession, runtime: SourceRuntime, track: MediaStreamTrack
    ) -> None:
        """One task per track: decoded frames to the runtime until the track ends."""
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    runtime.on_video_frame(frame, session.session_id)  # type: ignore[arg-type]
                else:
                    runtime.on_audio_frame(session.session_id, frame)  # type: ignore[arg-type]
        except MediaStreamError:
            if not session.closing:
                await self.dropped(session)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("track %s of session %s failed", track.kind, session.session_id)
            if not session.closing:
                await self.dropped(session)

    async def _watch_stall(self, session: PublishSession, runtime: SourceRuntime) -> None:
        """No frame and no video packet for LIVE_STALL_SECONDS: the publisher is gone even if
        ICE has not noticed yet (consent checks take ~30 s). Hang up; the phone reconnects into
        the same source.

        A picture frozen while video packets still arrive (the runtime's stats poll notes them)
        is a 3G link recovering lost packets, not a gone phone: hanging up would make it spend
        seconds on a new ICE and DTLS handshake over the same link. It is given up to
        STALL_FROZEN_FACTOR times as long."""
        stall = float(settings.LIVE_STALL_SECONDS)
        started = time.monotonic()
        while not session.closing:
            await asyncio.sleep(min(1.0, stall / 3))
            now = time.monotonic()
            last_frame = max(started, runtime.latest_frame_at)
            last_packet = max(started, runtime.packets_at)
            silent = now - max(last_frame, last_packet) > stall
            frozen_too_long = now - last_frame > stall * STALL_FROZEN_FACTOR
            if (silent or frozen_too_long) and not session.closing:
                logger.info(
                    "session %s stalled: no frame for %.0f s, no video packet for %.0f s",
                    session.session_id,
                    now - last_frame,
                    now - last_packet,
                )
                await self.dropped(session)
                return

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
            raise NotAuthenticated(_("This stream key is not valid."), code="invalid_stream_key")
        if key.user_id != session.user_id:
            raise PermissionDenied(_("This live session is not yours."), code="not_your_session")
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


async def _transport_stats(pc: RTCPeerConnection) -> dict[str, Any]:
    report = await pc.getStats()
    result: dict[str, Any] = {}
    lost = received = 0
    seen_rtp = False
    for stats in report.values():
        if stats.type == "transport":
            result["bytes_received"] = result.get("bytes_received", 0) + stats.bytesReceived
        elif stats.type == "inbound-rtp" and stats.kind == "video":
            seen_rtp = True
            lost += max(0, stats.packetsLost)
            received += stats.packetsReceived
    if seen_rtp:
        result["packets_lost"] = lost
        result["packets_received"] = received
    return result


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
