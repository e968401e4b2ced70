"""WHEP (RFC 9725 style egress): a studio monitor receives the program over WebRTC.

`POST /live/whep/<slug>/` with an SDP offer (recvonly video, optional audio) answers `201` with
the SDP answer and the session's `Location`; `DELETE <Location>` hangs up. Editors only (the
studio's own check): a signed-in browser sends its CSRF token (`X-CSRFToken`), a tool sends
`Authorization: Token <key>`. The peer connection uses the same ICE setup as WHIP
(`ingest.media.ice`): loopback or the configured host addresses, remote candidates filtered.

Each viewer gets the program's pictures (scaled down to a monitor size once for all viewers by
the runtime) and its audio; aiortc encodes per viewer.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import re
import uuid
from dataclasses import dataclass
from http import HTTPStatus

import av
from aiortc import MediaStreamTrack, RTCPeerConnection
from aiortc.mediastreams import MediaStreamError
from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from fieldcast.accounts.guards import require_permission, require_user
from fieldcast.accounts.models import User
from fieldcast.accounts.selectors import api_token_for_key
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import (
    ApplicationError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from ingest.media.background import spawn
from ingest.media.ice import answer_offer, ice_configuration
from ingest.media.offer_body import offer_body
from ingest.program.audio import CHANNELS, RATE
from ingest.program.engine import program_engine
from ingest.program.runtime import ProgramRuntime

logger = logging.getLogger(__name__)

MAX_OFFER_BYTES = 64 * 1024
NEGOTIATION_TIMEOUT_SECONDS = 10.0
AUDIO_QUEUE_TICKS = 10
_RTPMAP = re.compile(r"^a=rtpmap:\d+ ([A-Za-z0-9-]+)/", re.MULTILINE)


def check_viewer_offer(sdp: str) -> bool:
    """Refuse an offer we cannot answer; True when it also wants audio."""
    if not sdp.strip().startswith("v=0"):
        raise ValidationFailed(
            gettext("The SDP offer is malformed: it must start with “v=0”."),
            code=ErrorCode.MALFORMED_SDP,
        )
    sections = re.split(r"\r?\n(?=m=)", sdp)
    video = [section for section in sections[1:] if section.startswith("m=video")]
    if not video:
        raise ValidationFailed(
            gettext("The SDP offer has no video: a program monitor receives video."),
            code=ErrorCode.NO_VIDEO,
        )
    codecs = {name.upper() for section in video for name in _RTPMAP.findall(section)}
    if not codecs & {"VP8", "H264"}:
        raise ValidationFailed(
            gettext("The video codec is not supported: offer H.264 or VP8."),
            code=ErrorCode.UNSUPPORTED_CODEC,
        )
    if any("a=sendonly" in section for section in video):
        raise ValidationFailed(
            gettext("This endpoint sends the program: the offer must receive video."),
            code=ErrorCode.MALFORMED_SDP,
        )
    return any(section.startswith("m=audio") for section in sections[1:])


class ProgramVideoTrack(MediaStreamTrack):
    """The program's newest picture for one viewer (frames it could not send in time are skipped)."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._frame: av.VideoFrame | None = None
        self._ready = asyncio.Event()

    def push(self, frame: av.VideoFrame) -> None:
        self._frame = frame
        self._ready.set()

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        await self._ready.wait()
        self._ready.clear()
        if self.readyState != "live" or self._frame is None:
            raise MediaStreamError
        return self._frame


class ProgramAudioTrack(MediaStreamTrack):
    """The program's audio for one viewer, tick by tick (oldest dropped if the viewer lags)."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._queue: asyncio.Queue[av.AudioFrame] = asyncio.Queue(maxsize=AUDIO_QUEUE_TICKS)
        self._samples = 0

    def push(self, audio: bytes) -> None:
        samples = len(audio) // (2 * CHANNELS)
        frame = av.AudioFrame(format="s16", layout="stereo", samples=samples)
        frame.planes[0].update(audio)
        frame.sample_rate = RATE
        frame.pts = self._samples
        frame.time_base = fractions.Fraction(1, RATE)
        self._samples += samples
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(frame)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        return await self._queue.get()


@dataclass
class WhepViewer:
    """One monitor: its peer connection and tracks, registered with the program runtime."""

    session_id: str
    slug: str
    user_id: int
    pc: RTCPeerConnection
    video: ProgramVideoTrack
    audio: ProgramAudioTrack | None
    runtime: ProgramRuntime
    closed: bool = False

    def push(self, frame: av.VideoFrame, audio: bytes) -> None:
        self.video.push(frame)
        if self.audio is not None:
            self.audio.push(audio)

    def close(self) -> None:
        """Hang up (idempotent; from the runtime's stop or the viewer's DELETE)."""
        if self.closed:
            return
        self.closed = True
        self.runtime.viewers.discard(self)
        _viewers.pop(self.session_id, None)
        self.video.stop()
        if self.audio is not None:
            self.audio.stop()
        spawn(self.pc.close(), name=f"whep-close-{self.session_id}")

    def __hash__(self) -> int:
        return hash(self.session_id)


_viewers: dict[str, WhepViewer] = {}


async def whep_connect(*, slug: str, user_id: int, offer_sdp: str) -> tuple[WhepViewer, str]:
    """Answer a monitor's offer with the running program's tracks."""
    wants_audio = check_viewer_offer(offer_sdp)
    runtime = program_engine().runtimes.get(slug)
    if runtime is None:
        raise NotFound(
            gettext("This channel is not on air: start the program first."),
            code=ErrorCode.PROGRAM_NOT_RUNNING,
        )
    pc = RTCPeerConnection(ice_configuration())
    video = ProgramVideoTrack()
    audio = ProgramAudioTrack() if wants_audio else None
    try:
        answer = await asyncio.wait_for(
            _answer(pc, offer_sdp, video, audio), NEGOTIATION_TIMEOUT_SECONDS
        )
    except Exception as error:
        await pc.close()
        logger.info("WHEP offer refused: %s", error)
        raise ValidationFailed(
            gettext("The SDP offer could not be used: %(error)s") % {"error": str(error)[:200]},
            code=ErrorCode.MALFORMED_SDP,
        ) from error
    viewer = WhepViewer(
        session_id=uuid.uuid4().hex,
        slug=slug,
        user_id=user_id,
        pc=pc,
        video=video,
        audio=audio,
        runtime=runtime,
    )
    _viewers[viewer.session_id] = viewer
    runtime.viewers.add(viewer)

    @pc.on("connectionstatechange")
    async def on_state() -> None:
        if pc.connectionState in ("failed", "closed"):
            viewer.close()

    return viewer, answer


async def _answer(
    pc: RTCPeerConnection,
    offer_sdp: str,
    video: ProgramVideoTrack,
    audio: ProgramAudioTrack | None,
) -> str:
    def add_tracks() -> None:
        pc.addTrack(video)
        if audio is not None:
            pc.addTrack(audio)

    return await answer_offer(pc, offer_sdp, before_answer=add_tracks)


def whep_disconnect(*, session_id: str, user_id: int) -> None:
    viewer = _viewers.get(session_id)
    if viewer is None:
        raise NotFound(gettext("This monitor session is over or does not exist."))
    if viewer.user_id != user_id:
        raise PermissionDenied(gettext("This monitor session is not yours."))
    viewer.close()


# --- HTTP ------------------------------------------------------------------------------------
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Location, ETag",
}


def _error(error: ApplicationError) -> JsonResponse:
    response = JsonResponse(error.as_dict(), status=int(error.status_code))
    if error.status_code == HTTPStatus.UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Token realm="whep"'
    return response


def _no_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def _operator(request: HttpRequest) -> User:
    """The editor behind the request (API token, or session with its CSRF token), or a refusal."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, key = header.partition(" ")
    user: User
    if scheme.lower() == "token" and key.strip():
        token = api_token_for_key(key=key.strip())
        if token is None:
            raise NotAuthenticated(gettext("This API token is not valid or was revoked."))
        user = token.user
    else:
        user = require_user(
            request.user, message=gettext("Log in as an editor to watch the program monitor.")
        )
        refusal = CsrfViewMiddleware(lambda _request: HttpResponse()).process_view(
            request, _no_view, (), {}
        )
        if refusal is not None:
            raise PermissionDenied(
                gettext("The request is missing its CSRF token: reload the studio page."),
                code=ErrorCode.CSRF_FAILED,
            )
    return require_permission(
        user,
        "operate_studio",
        message=gettext("Only editors can watch the program monitor."),
        code=ErrorCode.NOT_EDITOR,
    )


@csrf_exempt  # checked in _operator for session users; token users need none
async def whep_endpoint(request: HttpRequest, slug: str) -> HttpResponse:
    """POST an SDP offer: 201 with the answer and the session's Location."""
    if request.method == "OPTIONS":
        return _options()
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST, OPTIONS", **_CORS})
    try:
        user = await sync_to_async(_operator)(request)
        if (request.content_type or "").lower() != "application/sdp":
            raise ValidationFailed(
                gettext("Send the SDP offer as “Content-Type: application/sdp”."),
                code=ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            )
        body = offer_body(request, limit=MAX_OFFER_BYTES)
        try:
            offer = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed(
                gettext("The SDP offer is not UTF-8 text."), code=ErrorCode.MALFORMED_SDP
            ) from None
        viewer, answer = await whep_connect(slug=slug, user_id=user.pk, offer_sdp=offer)
    except ApplicationError as error:
        return _error(error)
    location = reverse(
        "program:whep-session", kwargs={"slug": slug, "session_id": viewer.session_id}
    )
    response = HttpResponse(answer, status=201, content_type="application/sdp")
    response["Location"] = location
    response["ETag"] = f'"{viewer.session_id}"'
    for name, value in _CORS.items():
        response[name] = value
    return response


@csrf_exempt  # checked in _operator
async def whep_session(request: HttpRequest, slug: str, session_id: str) -> HttpResponse:
    """DELETE hangs up the monitor; PATCH (trickle ICE) is not offered."""
    if request.method == "OPTIONS":
        return _options()
    if request.method != "DELETE":
        return HttpResponse(status=405, headers={"Allow": "DELETE, OPTIONS", **_CORS})
    try:
        user = await sync_to_async(_operator)(request)
        whep_disconnect(session_id=session_id, user_id=user.pk)
    except ApplicationError as error:
        return _error(error)
    return HttpResponse(status=200, headers=_CORS)


def _options() -> HttpResponse:
    return HttpResponse(
        status=204,
        headers={
            **_CORS,
            "Access-Control-Allow-Methods": "POST, DELETE, OPTIONS",
            "Access-Control-Allow-Headers": "Authorization, Content-Type, X-CSRFToken",
            "Accept-Post": "application/sdp",
        },
    )
