"""tus 1.0.0 resumable uploads at /api/v1/uploads/, as a plain ASGI app in front of Django.

Why not a Django view: Django's ASGI handler reads the whole request body (spooled to a temp file)
before any view runs, and drops it if the client disconnects. A phone losing its network at 90 %
of one long PATCH would lose everything. Here the body is streamed from `receive()` into storage
as it arrives, and whatever is durable when the connection drops is kept.

Extensions: creation, creation-with-upload, termination, checksum (sha1), expiration.
The rules (who, limits, states) live in `fieldcast.videos.services`; this module speaks HTTP.

CORS: any origin listed in UPLOAD_CORS_ALLOWED_ORIGINS ("*" by default) may call the endpoint,
never with credentials: a cross-origin client authenticates with `Authorization: Token <key>`,
and session cookies only work from our own pages. Every request but OPTIONS must carry
`Tus-Resumable`, a custom header, so a cross-site form can never post here.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from http.cookies import SimpleCookie
from typing import Any

from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)

from fieldcast.accounts.selectors import api_token_for_key
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ApplicationError, NotAuthenticated, NotFound
from fieldcast.videos import services, upload_storage
from fieldcast.videos.models import Upload

logger = logging.getLogger(__name__)

PREFIX = "/api/v1/uploads/"
TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,termination,checksum,expiration"
OCTET_STREAM = "application/offset+octet-stream"
WRITE_BATCH = 1024 * 1024  # bytes handed to storage per thread hop
HEARTBEAT_SECONDS = 2.0
ALLOW_HEADERS = (
    "Authorization, Content-Type, Upload-Length, Upload-Offset, Tus-Resumable, Upload-Metadata, "
    "Upload-Defer-Length, Upload-Concat, Upload-Checksum, X-HTTP-Method-Override, "
    "X-Requested-With, X-CSRFToken"
)
EXPOSE_HEADERS = (
    "Upload-Offset, Location, Upload-Length, Tus-Version, Tus-Resumable, Tus-Max-Size, "
    "Tus-Extension, Tus-Checksum-Algorithm, Upload-Metadata, Upload-Expires, Fieldcast-Video-Id"
)
VIDEO_HEADER = "Fieldcast-Video-Id"  # which video this upload feeds (the page follows it)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class ClientGone(Exception):
    """The client closed the connection mid-body."""


class BadRequest(ApplicationError):
    default_code = ErrorCode.BAD_REQUEST


class UnsupportedMediaType(ApplicationError):
    status_code = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    default_code = ErrorCode.UNSUPPORTED_MEDIA_TYPE


class PreconditionFailed(ApplicationError):
    status_code = HTTPStatus.PRECONDITION_FAILED
    default_code = ErrorCode.TUS_VERSION


class Request:
    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.scope = scope
        self.receive = receive
        self.headers: dict[str, str] = {}
        for raw_key, raw_value in scope.get("headers", []):
            self.headers[raw_key.decode("latin-1").lower()] = raw_value.decode("latin-1")
        self.method: str = scope["method"].upper()
        override = self.headers.get("x-http-method-override", "").upper()
        if self.method == "POST" and override in {"PATCH", "DELETE", "HEAD"}:
            self.method = override
        self.upload_id = scope["path"][len(PREFIX) :].strip("/")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "").strip()

    def int_header(self, name: str) -> int:
        value = self.header(name)
        if not value.isdigit():
            raise BadRequest(_("The %(header)s header must be a whole number.") % {"header": name})
        return int(value)


def parse_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64(value)` pairs (value optional)."""
    metadata: dict[str, str] = {}
    for pair in filter(None, (item.strip() for item in header.split(","))):
        key, _sep, encoded = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise BadRequest(
                _("Upload-Metadata value for “%(key)s” is not valid base64 UTF-8.") % {"key": key}
            ) from exc
    return metadata


def parse_checksum(header: str) -> bytes | None:
    if not header:
        return None
    algorithm, _sep, encoded = header.partition(" ")
    if algorithm.lower() != "sha1":
        raise BadRequest(_("Only sha1 checksums are supported."), code=ErrorCode.CHECKSUM_ALGORITHM)
    try:
        return base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error as exc:
        raise BadRequest(_("The Upload-Checksum value is not valid base64.")) from exc


class TusApp:
    """ASGI: the tus endpoint for paths under PREFIX; every other request goes to `inner`."""

    def __init__(self, inner: Callable[..., Awaitable[None]]) -> None:
        self.inner = inner
        self.with_session = AuthMiddlewareStack(self.handle)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path.startswith(PREFIX) or path == PREFIX.rstrip("/")):
            await self.with_session(scope, receive, send)
            return
        await self.inner(scope, receive, send)

    # --- plumbing -------------------------------------------------------------------------

    def _cors(self, request: Request) -> list[tuple[str, str]]:
        origin = request.header("origin")
        allowed = settings.UPLOAD_CORS_ALLOWED_ORIGINS
        if not origin or not ("*" in allowed or origin in allowed):
            return []
        return [
            ("Access-Control-Allow-Origin", "*" if "*" in allowed else origin),
            ("Access-Control-Expose-Headers", EXPOSE_HEADERS),
            ("Vary", "Origin"),
        ]

    async def _respond(
        self,
        send: Send,
        request: Request,
        status: int,
        headers: list[tuple[str, str]] | None = None,
        text: str = "",
    ) -> None:
        body = b"" if request.method == "HEAD" or not text else (text + "\n").encode()
        all_headers = [
            ("Tus-Resumable", TUS_VERSION),
            ("Cache-Control", "no-store"),
            *self._cors(request),
            *(headers or []),
        ]
        if body:
            all_headers.append(("Content-Type", "text/plain; charset=utf-8"))
        all_headers.append(("Content-Length", str(len(body))))
        await send(
            {
                "type": "http.response.start",
                "status": int(status),
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in all_headers],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _language(self, request: Request) -> str:
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(request.header("cookie"))
        except Exception:  # noqa: BLE001 - a malformed cookie header only costs the language
            cookies = SimpleCookie()
        candidates = []
        if settings.LANGUAGE_COOKIE_NAME in cookies:
            candidates.append(cookies[settings.LANGUAGE_COOKIE_NAME].value)
        candidates += [
            code for code, _q in parse_accept_lang_header(request.header("accept-language"))
        ]
        for code in candidates:
            try:
                return get_supported_language_variant(code)
            except LookupError:
                continue
        return settings.LANGUAGE_CODE

    async def _user(self, scope: Scope, request: Request) -> Any:
        authorization = request.header("authorization")
        if authorization.lower().startswith("token "):
            token = await sync_to_async(api_token_for_key)(key=authorization[6:].strip())
            if token is None:
                raise NotAuthenticated(_("This API token is not valid or was revoked."))
            return token.user
        user = scope.get("user") or AnonymousUser()
        if not user.is_authenticated:
            raise NotAuthenticated(_("Please log in to upload."))
        return user

    # --- dispatch -------------------------------------------------------------------------

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        with translation.override(self._language(request)):
            try:
                await self.dispatch(scope, request, send)
            except ClientGone:
                return
            except ApplicationError as error:
                await self._respond(send, request, int(error.status_code), text=error.message)
            except Exception:
                logger.exception("tus %s %s failed", request.method, scope.get("path"))
                await self._respond(
                    send,
                    request,
                    HTTPStatus.INTERNAL_SERVER_ERROR,
                    text=_("The upload server had a problem. Please try again in a moment."),
                )

    async def dispatch(self, scope: Scope, request: Request, send: Send) -> None:
        if request.method == "OPTIONS":
            await self._respond(
                send,
                request,
                HTTPStatus.NO_CONTENT,
                [
                    ("Tus-Version", TUS_VERSION),
                    ("Tus-Extension", EXTENSIONS),
                    ("Tus-Max-Size", str(settings.UPLOAD_MAX_BYTES)),
                    ("Tus-Checksum-Algorithm", "sha1"),
                    ("Access-Control-Allow-Methods", "POST, HEAD, PATCH, DELETE, OPTIONS"),
                    ("Access-Control-Allow-Headers", ALLOW_HEADERS),
                    ("Access-Control-Max-Age", "86400"),
                ],
            )
            return
        if request.header("tus-resumable") != TUS_VERSION:
            await self._respond(
                send,
                request,
                HTTPStatus.PRECONDITION_FAILED,
                [("Tus-Version", TUS_VERSION)],
                _("This server speaks tus %(version)s: send Tus-Resumable: %(version)s.")
                % {"version": TUS_VERSION},
            )
            return
        user = await self._user(scope, request)
        if not request.upload_id:
            if request.method != "POST":
                await self._respond(send, request, HTTPStatus.METHOD_NOT_ALLOWED)
                return
            await self.create(request, user, send)
            return
        handler = {"HEAD": self.head, "PATCH": self.patch, "DELETE": self.delete}.get(
            request.method
        )
        if handler is None:
            await self._respond(send, request, HTTPStatus.METHOD_NOT_ALLOWED)
            return
        await handler(request, user, send)

    def _expires(self, upload: Upload) -> tuple[str, str]:
        return ("Upload-Expires", http_date(upload.expires_at.timestamp()))

    def _video(self, upload: Upload) -> list[tuple[str, str]]:
        return [(VIDEO_HEADER, str(upload.video_id))] if upload.video_id else []

    # --- the four verbs -------------------------------------------------------------------

    async def create(self, request: Request, user: Any, send: Send) -> None:
        if request.header("upload-defer-length"):
            raise BadRequest(_("Send Upload-Length: deferred lengths are not supported."))
        length = request.int_header("Upload-Length")
        metadata = parse_metadata(request.header("upload-metadata"))
        with_body = request.header("content-type").startswith(OCTET_STREAM)
        checksum = parse_checksum(request.header("upload-checksum")) if with_body else None
        upload = await sync_to_async(services.upload_create)(
            user=user, length=length, metadata=metadata
        )
        headers = [("Location", f"{PREFIX}{upload.pk}/"), *self._video(upload)]
        if with_body:
            upload, token = await sync_to_async(services.upload_acquire)(
                upload_id=upload.pk, user=user, offset=0
            )
            upload = await self._receive_into(request, upload, token, checksum)
            headers.append(("Upload-Offset", str(upload.offset)))
        headers.append(self._expires(upload))
        await self._respond(send, request, HTTPStatus.CREATED, headers)

    async def head(self, request: Request, user: Any, send: Send) -> None:
        upload = await sync_to_async(services.upload_for_owner)(
            upload_id=_uuid(request.upload_id), user=user
        )
        headers = [
            ("Upload-Offset", str(upload.offset)),
            ("Upload-Length", str(upload.length)),
            self._expires(upload),
            *self._video(upload),
        ]
        if upload.metadata:
            headers.append(
                (
                    "Upload-Metadata",
                    ",".join(
                        f"{key} {base64.b64encode(str(value).encode()).decode()}"
                        for key, value in upload.metadata.items()
                    ),
                )
            )
        await self._respond(send, request, HTTPStatus.OK, headers)

    async def delete(self, request: Request, user: Any, send: Send) -> None:
        await sync_to_async(services.upload_terminate)(
            upload_id=_uuid(request.upload_id), user=user
        )
        await self._respond(send, request, HTTPStatus.NO_CONTENT)

    async def patch(self, request: Request, user: Any, send: Send) -> None:
        if not request.header("content-type").startswith(OCTET_STREAM):
            raise UnsupportedMediaType(
                _("Send the bytes with Content-Type: %(type)s.") % {"type": OCTET_STREAM}
            )
        offset = request.int_header("Upload-Offset")
        checksum = parse_checksum(request.header("upload-checksum"))
        upload_id = _uuid(request.upload_id)
        upload, token = await self._acquire(upload_id, user, offset)
        upload = await self._receive_into(request, upload, token, checksum)
        await self._respond(
            send,
            request,
            HTTPStatus.NO_CONTENT,
            [("Upload-Offset", str(upload.offset)), self._expires(upload), *self._video(upload)],
        )

    async def _acquire(self, upload_id: str, user: Any, offset: int) -> tuple[Upload, str]:
        """Take the writer lease; wait (bounded) for a silent previous writer to lose it."""
        deadline = time.monotonic() + settings.UPLOAD_LEASE_SECONDS + 1
        while True:
            try:
                return await sync_to_async(services.upload_acquire)(
                    upload_id=upload_id, user=user, offset=offset
                )
            except services.UploadBusy:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    async def _receive_into(
        self, request: Request, upload: Upload, token: str, checksum: bytes | None
    ) -> Upload:
        """Stream the request body into storage; commit durable offsets as they come.

        With a checksum nothing is committed until the whole body matched it (tus: a mismatched
        PATCH is discarded entirely)."""
        in_thread = sync_to_async  # storage calls block: run them off the event loop
        writer = await in_thread(upload_storage.open_writer, thread_sensitive=False)(upload)
        hasher = hashlib.sha1(usedforsecurity=False) if checksum is not None else None
        start = upload.offset  # `upload` is replaced by each commit below; this is not
        remaining = upload.length - start
        pending = bytearray()
        received = 0
        unsaved = 0
        last_beat = last_save = time.monotonic()
        gone = False
        too_long = False

        async def flush() -> None:
            nonlocal pending, unsaved
            if pending:
                await in_thread(writer.write, thread_sensitive=False)(pending)
                unsaved += len(pending)
                pending = bytearray()

        async def beat_if_due() -> None:
            # Renew the lease BEFORE writing after a pause: a writer that went silent for
            # longer than the lease may have been replaced, and must not write any more.
            nonlocal last_beat
            if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
                await sync_to_async(services.upload_heartbeat)(upload_id=upload.pk, token=token)
                last_beat = time.monotonic()

        async def save() -> Upload:
            nonlocal unsaved, last_beat, last_save
            state = await in_thread(writer.checkpoint, thread_sensitive=False)()
            saved = await sync_to_async(services.upload_commit)(
                upload_id=upload.pk, token=token, checkpoint=state
            )
            await in_thread(writer.committed, thread_sensitive=False)(state)
            unsaved = 0
            last_beat = last_save = time.monotonic()
            return saved

        try:
            try:
                while True:
                    message = await request.receive()
                    if message["type"] == "http.disconnect":
                        gone = True
                        break
                    chunk = message.get("body", b"")
                    if len(chunk) > remaining - received:
                        too_long = True
                        break
                    if chunk:
                        received += len(chunk)
                        pending += chunk
                        if hasher is not None:
                            hasher.update(chunk)
                    await beat_if_due()
                    if len(pending) >= WRITE_BATCH:
                        await flush()
                    if hasher is None and writer.wants_checkpoint(
                        unsaved_bytes=unsaved, unsaved_seconds=time.monotonic() - last_save
                    ):
                        upload = await save()
                    if not message.get("more_body", False):
                        break
                if too_long or (gone and hasher is not None):
                    await in_thread(writer.rollback, thread_sensitive=False)()
                    if too_long:
                        raise BadRequest(
                            _("The request carries more bytes than the upload's length.")
                        )
                    raise ClientGone
                await beat_if_due()
                await flush()
                if hasher is not None and hasher.digest() != checksum:
                    await in_thread(writer.rollback, thread_sensitive=False)()
                    raise services.ChecksumMismatch(
                        _("The data did not match its checksum; nothing was stored. Send it again.")
                    )
                if start + received == upload.length and not gone:
                    await in_thread(writer.finish, thread_sensitive=False)()
                    return await sync_to_async(services.upload_complete)(
                        upload_id=upload.pk, token=token
                    )
                upload = await save()
                if gone:
                    raise ClientGone
                return upload
            finally:
                await in_thread(writer.close, thread_sensitive=False)()
        finally:
            await sync_to_async(services.upload_release)(upload_id=upload.pk, token=token)


def _uuid(value: str) -> str:
    """A malformed id is a missing upload, never a server error."""
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise NotFound(_("There is no such upload. Start the upload again.")) from exc
