"""Live pages: the stream keys section of the profile, the go-live page, the editors' sources page."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fieldcast.accounts.guards import AuthenticatedHttpRequest, has_permission
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ApplicationError, NotAuthenticated, ValidationFailed
from ingest import credentials, selectors, services
from ingest.media.offer_body import offer_body
from ingest.media.registry import live_ingest
from ingest.media.srt import srt_listeners
from ingest.media.whip import MAX_OFFER_BYTES, whip_publish
from ingest.models import StreamKey
from ingest.selectors import stream_keys_for_user


def _keys_context(request: AuthenticatedHttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "can_go_live": has_permission(user, "go_live"),
        "stream_keys": list(stream_keys_for_user(user=user)),
        "whip_url": request.build_absolute_uri(reverse("ingest:whip")),
        "srt_url": request.build_absolute_uri(reverse("ingest:srt")),
        "rtmp_base": f"rtmp://{request.get_host().split(':')[0]}:{settings.RTMP_PORT}/live/",
        **extra,
    }


def _keys_response(request: AuthenticatedHttpRequest, **extra: Any) -> HttpResponse:
    """The section alone for htmx; a page of its own otherwise (a new secret must be seen)."""
    context = _keys_context(request, **extra)
    if request.headers.get("HX-Request"):
        return render(request, "ingest/_stream_keys.html", context)
    if not extra:
        return redirect("profile")
    return render(request, "ingest/stream_keys.html", context)


def _new_secret_context(key: StreamKey, secret: str) -> dict[str, Any]:
    return {"new_secret": secret, "new_secret_key": key}


@login_required
@require_POST
def key_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        key, secret = services.stream_key_create(
            user=request.user,
            name=request.POST.get("name", ""),
            assignment_ref=request.POST.get("assignment_ref", ""),
        )
    except ApplicationError as error:
        return _keys_response(request, error=error.message)
    return _keys_response(request, **_new_secret_context(key, secret))


@login_required
@require_POST
def key_rotate(request: AuthenticatedHttpRequest, key_id: int) -> HttpResponse:
    try:
        key, secret = services.stream_key_rotate(user=request.user, key_id=key_id)
    except ApplicationError as error:
        return _keys_response(request, error=error.message)
    return _keys_response(request, **_new_secret_context(key, secret))


@login_required
@require_POST
def keys_rotate_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    """New secrets for all the reporter's stream keys at once (offered after a password change)."""
    rotated = credentials.stream_keys_rotate_all(user=request.user)
    return _keys_response(
        request, new_secrets=[{"key": key, "secret": secret} for key, secret in rotated]
    )


@login_required
@require_POST
def key_revoke(request: AuthenticatedHttpRequest, key_id: int) -> HttpResponse:
    try:
        services.stream_key_revoke(user=request.user, key_id=key_id)
    except ApplicationError as error:
        return _keys_response(request, error=error.message)
    return _keys_response(request)


# --- WHIP (RFC 9725): async views on the web process's event loop ------------------------------

_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Location, ETag, Link, Accept-Patch, Accept-Post, Fieldcast-Source",
}


def _whip_response(body: bytes | str = b"", *, status: int, **headers: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=headers.pop("content_type", None))
    for name, value in {**_CORS, **headers}.items():
        response[name.replace("_", "-")] = value
    return response


def _whip_error(error: ApplicationError) -> HttpResponse:
    response = JsonResponse(error.as_dict(), status=int(error.status_code))
    for name, value in _CORS.items():
        response[name] = value
    if error.status_code == HTTPStatus.UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Bearer realm="whip"'
    return response


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated(
            gettext("Send your stream key as “Authorization: Bearer <key>”."),
            code=ErrorCode.MISSING_STREAM_KEY,
        )
    return token.strip()


def _options() -> HttpResponse:
    return _whip_response(
        status=204,
        Access_Control_Allow_Methods="POST, DELETE, PATCH, OPTIONS",
        Access_Control_Allow_Headers="Authorization, Content-Type, If-Match",
        Access_Control_Max_Age="86400",
        Accept_Post="application/sdp",
    )


@csrf_exempt
async def whip_endpoint(request: HttpRequest) -> HttpResponse:
    """POST an SDP offer with a stream key: 201 with the answer and the session's Location."""
    if request.method == "OPTIONS":
        return _options()
    if request.method != "POST":
        return _whip_response(status=405, Allow="POST, OPTIONS")
    try:
        secret = _bearer(request)
        # The body's own size counts, not only a Content-Length (413 payload_too_large).
        body = offer_body(request, limit=MAX_OFFER_BYTES)
        if not body:
            raise ValidationFailed(
                gettext("The request has no SDP offer."), code=ErrorCode.MALFORMED_SDP
            )
        content_type = request.content_type or ""
        if content_type.lower() != "application/sdp":
            return _whip_error(
                UnsupportedMedia(gettext("Send the SDP offer as “Content-Type: application/sdp”."))
            )
        try:
            offer = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed(
                gettext("The SDP offer is not UTF-8 text."), code=ErrorCode.MALFORMED_SDP
            ) from None
        session, answer = await whip_publish(
            live_ingest(), secret=secret, offer_sdp=offer, title=request.GET.get("title", "")[:200]
        )
    except ApplicationError as error:
        return _whip_error(error)
    location = reverse("ingest:whip-session", kwargs={"session_id": session.session_id})
    return _whip_response(
        answer,
        status=201,
        content_type="application/sdp",
        Location=location,
        ETag=f'"{session.session_id}"',
        Fieldcast_Source=session.source_key,
    )


@csrf_exempt
async def whip_session(request: HttpRequest, session_id: str) -> HttpResponse:
    """The session resource: DELETE ends the stream; PATCH (trickle ICE) is not offered."""
    if request.method == "OPTIONS":
        return _options()
    if request.method == "PATCH":
        # RFC 9725 §4.3.1: a server without trickle ICE answers 405 (candidates are in the SDP).
        return _whip_response(status=405, Allow="DELETE, OPTIONS")
    if request.method != "DELETE":
        return _whip_response(status=405, Allow="DELETE, PATCH, OPTIONS")
    try:
        await live_ingest().end(session_id=session_id, secret=_bearer(request))
    except ApplicationError as error:
        return _whip_error(error)
    return _whip_response(status=200)


@csrf_exempt
async def srt_session(request: HttpRequest) -> HttpResponse:
    """POST with `Authorization: Bearer <key>`: a port and passphrase of your own for SRT."""
    if request.method == "OPTIONS":
        return _options()
    if request.method != "POST":
        return _whip_response(status=405, Allow="POST, OPTIONS")
    try:
        offer = await srt_listeners.open(secret=_bearer(request))
    except ApplicationError as error:
        return _whip_error(error)
    response = JsonResponse(offer, status=201)
    for name, value in _CORS.items():
        response[name] = value
    return response


class UnsupportedMedia(ApplicationError):
    status_code = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    default_code = ErrorCode.UNSUPPORTED_MEDIA_TYPE


# --- Pages ------------------------------------------------------------------------------------

QUALITY_PRESETS = [
    # name, label, target height, frame rate, max bitrate (bit/s)
    {"id": "3g", "height": 360, "fps": 15, "bitrate": 350_000},
    {"id": "4g", "height": 540, "fps": 25, "bitrate": 1_200_000},
    {"id": "wifi", "height": 720, "fps": 30, "bitrate": 2_500_000},
]


def _go_live_strings() -> dict[str, str]:
    return {
        "idle": gettext("Not live"),
        "camera": gettext("Starting the camera…"),
        "camera_failed": gettext(
            "The camera could not be started. Allow camera access and try again."
        ),
        "connecting": gettext("Connecting…"),
        "reconnecting": gettext("Connection lost. Reconnecting…"),
        "live": gettext("Live"),
        "live_detail": gettext("You are live. Waiting for an editor."),
        "approved": gettext("Approved"),
        "approved_detail": gettext(
            "An editor approved your stream. You may be put on air at any moment."
        ),
        "on_air": gettext("On air"),
        "on_air_detail": gettext("You are on air. Keep filming!"),
        "ended": gettext("Ended"),
        "ended_detail": gettext(
            "Your live stream has ended. The recording goes to the newsroom for review."
        ),
        "rejected": gettext("Rejected"),
        "rejected_detail": gettext("An editor rejected your live stream."),
        "killed": gettext("Stopped"),
        "killed_detail": gettext("An editor stopped your live stream."),
        "refused": gettext("The server refused the stream:"),
    }


@login_required
def go_live(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reporter's go-live page: camera, quality, state and stats; publishes over WHIP.

    Loading the page changes nothing (a GET must not): the page asks for its key by POST when
    the reporter presses "Go live", so another tab left open keeps its own secret.
    """
    user = request.user
    if not has_permission(user, "go_live"):
        raise DjangoPermissionDenied
    config = {
        "whipUrl": reverse("ingest:whip"),
        "keyUrl": reverse("ingest:go-live-key"),
        "csrf": get_token(request),
        # `?assignment=<id>` (the assignment page's "Go live for this"): the stream answers it.
        "assignment": request.GET.get("assignment", "")[:64],
        "wsBase": "/ws/live/sources/",
        "iceServers": settings.ICE_SERVERS,
        "presets": QUALITY_PRESETS,
    }
    return render(request, "ingest/go_live.html", {"config": config, "strings": _go_live_strings()})


@login_required
@require_POST
def go_live_key(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The go-live page's secret for this session (its browser key, renewed): JSON `{secret}`."""
    try:
        _key, secret = services.stream_key_for_go_live_page(
            user=request.user,
            assignment_ref=request.POST.get("assignment", "")[:64],
        )
    except ApplicationError as error:
        return JsonResponse(error.as_dict(), status=int(error.status_code))
    response = JsonResponse({"secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def sources(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Editors' grid of live sources with moving previews, stats and decisions."""
    if not has_permission(request.user, "moderate_content"):
        raise DjangoPermissionDenied
    services.sources_end_stale()
    return render(
        request,
        "ingest/sources.html",
        {
            "sources": list(selectors.sources_running()),
            "recent": selectors.sources_recent(limit=10),
            "config": {
                "ws": "/ws/live/sources/",
                "api": "/api/v1/live/sources/",
                "csrf": get_token(request),
            },
            "strings": {
                "connected": gettext("connected"),
                "reconnecting": gettext("waiting for reconnect"),
                "fps": gettext("fps"),
                "loss": gettext("loss"),
                "freezes": gettext("freezes"),
                "age": gettext("last frame"),
                "failed": gettext("The action failed:"),
            },
        },
    )
