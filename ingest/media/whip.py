"""WHIP sessions (RFC 9725) on aiortc, inside the web process's event loop.

`whip_publish` negotiates a peer connection and hands it to the registry
(`ingest.media.registry.LiveIngest`) as a session of the key's source; one task per track feeds
the source's runtime, and a stall watch hangs up a publisher that went away before ICE noticed.
The HTTP views only parse and render; everything else is here, in the registry or in the services
(through the reporter).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import av
from aiortc import MediaStreamTrack, RTCPeerConnection
from aiortc.mediastreams import MediaStreamError
from django.conf import settings
from django.utils.translation import gettext as _

from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ValidationFailed
from ingest.media.ice import answer_offer, ice_configuration
from ingest.media.pipeline import SourceRuntime
from ingest.media.registry import LiveIngest, PublishSession
from ingest.media.stall import Sampled, StallPolicy

logger = logging.getLogger(__name__)

MAX_OFFER_BYTES = 64 * 1024
VIDEO_CODECS = ("H264", "VP8")
AUDIO_CODECS = ("opus",)
NEGOTIATION_TIMEOUT_SECONDS = 10.0
_RTPMAP = re.compile(r"^a=rtpmap:\d+ ([A-Za-z0-9-]+)/", re.MULTILINE)


def check_offer(sdp: str) -> None:
    """Refuse, with a message a person can act on, an offer we cannot take."""
    if not sdp.strip():
        raise ValidationFailed(_("The request has no SDP offer."), code=ErrorCode.MALFORMED_SDP)
    if not sdp.lstrip().startswith("v=0"):
        raise ValidationFailed(
            _("The SDP offer is malformed: it must start with “v=0”."), code=ErrorCode.MALFORMED_SDP
        )
    sections = re.split(r"\r?\n(?=m=)", sdp)
    video = [section for section in sections[1:] if section.startswith("m=video")]
    if not video:
        raise ValidationFailed(
            _("The SDP offer has no video: WHIP publishing needs a video track."),
            code=ErrorCode.NO_VIDEO,
        )
    codecs = {name.upper() for section in video for name in _RTPMAP.findall(section)}
    if not codecs & set(VIDEO_CODECS):
        raise ValidationFailed(
            _("The video codec is not supported: offer H.264 or VP8."),
            code=ErrorCode.UNSUPPORTED_CODEC,
        )
    if any(section.startswith("m=video") and "a=recvonly" in section for section in video):
        raise ValidationFailed(
            _("This endpoint receives video: the offer must send it."), code=ErrorCode.MALFORMED_SDP
        )


@dataclass
class WhipSession(PublishSession):
    pc: RTCPeerConnection | None = None

    async def hang_up(self) -> None:
        if self.pc is not None:
            await self.pc.close()


async def whip_publish(
    ingest: LiveIngest, *, secret: str, offer_sdp: str, title: str = ""
) -> tuple[PublishSession, str]:
    """Authenticate, negotiate and start (or resume) a source in `ingest`. Returns the session and
    the SDP answer. No peer connection exists unless the key is good and the offer sane."""
    key = await ingest.authorize(secret)
    check_offer(offer_sdp)
    pc = RTCPeerConnection(ice_configuration())
    tracks: list[MediaStreamTrack] = []
    pc.on("track", tracks.append)
    try:
        answer = await asyncio.wait_for(answer_offer(pc, offer_sdp), NEGOTIATION_TIMEOUT_SECONDS)
    except ValidationFailed:
        await pc.close()
        raise
    except Exception as error:
        await pc.close()
        logger.info("WHIP offer refused: %s", error)
        raise ValidationFailed(
            _("The SDP offer could not be used: %(error)s") % {"error": str(error)[:200]},
            code=ErrorCode.MALFORMED_SDP,
        ) from error
    if not any(track.kind == "video" for track in tracks):
        await pc.close()
        raise ValidationFailed(
            _("The SDP offer has no video: WHIP publishing needs a video track."),
            code=ErrorCode.NO_VIDEO,
        )
    try:
        session, runtime = await ingest.begin(
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
            watch_stall(ingest, session, runtime), name=f"stall-{session.session_id}"
        )
    )
    for track in tracks:
        session.tasks.append(
            asyncio.create_task(
                _consume(ingest, session, runtime, track),
                name=f"{track.kind}-{session.session_id}",
            )
        )

    @pc.on("connectionstatechange")
    async def on_state() -> None:
        if pc.connectionState in ("failed", "closed") and not session.closing:
            await ingest.dropped(session)

    return session, answer


async def _consume(
    ingest: LiveIngest, session: PublishSession, runtime: SourceRuntime, track: MediaStreamTrack
) -> None:
    """One task per track: decoded frames to the runtime until the track ends."""
    try:
        while True:
            # aiortc's remote tracks hand over decoded frames (packets only from a bypassed
            # decoder, which we never ask for): the isinstance checks only tell the type checker.
            frame = await track.recv()
            if track.kind == "video" and isinstance(frame, av.VideoFrame):
                runtime.on_video_frame(frame, session.session_id)
            elif isinstance(frame, av.AudioFrame):
                runtime.on_audio_frame(session.session_id, frame)
    except MediaStreamError:
        if not session.closing:
            await ingest.dropped(session)
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("track %s of session %s failed", track.kind, session.session_id)
        if not session.closing:
            await ingest.dropped(session)


async def watch_stall(
    ingest: LiveIngest,
    session: PublishSession,
    source: Sampled,
    *,
    policy: StallPolicy | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Hang up a publisher the stall policy counts as gone (ICE's consent checks take ~30 s to
    notice); the phone reconnects into the same source. Tests pass a policy on a fake clock and a
    `sleep` that moves that clock."""
    if policy is None:
        policy = StallPolicy(stall_seconds=float(settings.LIVE_STALL_SECONDS))
    while not session.closing:
        await sleep(policy.poll_seconds)
        stall = policy.check(source.sample())
        if stall is not None and not session.closing:
            logger.info(
                "session %s stalled: no frame for %.0f s, no video packet for %.0f s",
                session.session_id,
                stall.frame_age,
                stall.packet_age,
            )
            await ingest.dropped(session)
            return


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
