"""Community websockets: the live chat of one program channel, /ws/chat/<channel>/.

Anyone may read; a signed-in person may write. The socket is thin: it joins the channel's group,
hands over the last messages (or, with ``?after=<id>``, what a reconnecting client missed), and
passes writes to `community.chat.services`. Messages reach every socket, in every web process,
through `fieldcast.core.events` and the process's one listener (`community.chat.hub`).

Client → server: ``{"type": "send", "body": "...", "client_id": "..."}``,
``{"type": "catch_up", "after": <id>}``, ``{"type": "ping"}``.
Server → client: ``chat.history``, ``chat.message``, ``chat.removed``, ``chat.muted``,
``chat.settings``, ``chat.ack`` (your message was stored, with its id) and ``chat.error`` (it was
not, with a message for you; nobody else is told).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from community.chat import selectors as chat_selectors
from community.chat import services as chat_services
from community.chat.hub import chat_hub
from fieldcast.accounts.models import User
from fieldcast.core import events
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ApplicationError, ValidationFailed
from fieldcast.core.websockets import JsonWebsocketConsumer

CLOSE_NO_CHAT = 4404


def _language(scope: dict[str, Any]) -> str:
    """The reader's language, as LocaleMiddleware would pick it: the cookie, then the header."""
    cookies = scope.get("cookies") or {}
    headers = dict(scope.get("headers") or [])
    candidates = [cookies.get(settings.LANGUAGE_COOKIE_NAME, "")]
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    candidates += [code for code, _q in parse_accept_lang_header(accept)]
    for code in candidates:
        if not code or code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


@database_sync_to_async
def _history(language: str, channel: str, after_id: int | None) -> dict[str, Any]:
    with translation.override(language):
        return chat_selectors.chat_history(channel=channel, after_id=after_id).as_dict()


@database_sync_to_async
def _post(language: str, user: User | AnonymousUser, channel: str, body: object) -> dict[str, Any]:
    with translation.override(language):
        if not isinstance(body, str):
            raise ValidationFailed(code=ErrorCode.INVALID)
        return chat_services.chat_message_post(user=user, channel=channel, body=body).payload


class ChatConsumer(JsonWebsocketConsumer):
    # No channel-layer channel per socket: the process's hub (community.chat.hub) listens for all
    # of them. An alias that is not configured makes Channels give this consumer no layer.
    channel_layer_alias = "chat-sockets-listen-through-the-hub"
    channel: str = ""
    joined: bool = False
    language: str = settings.LANGUAGE_CODE

    async def connect(self) -> None:
        self.language = _language(self.scope)
        try:
            self.channel = await database_sync_to_async(chat_selectors.chat_channel)(
                channel=str(self.scope["url_route"]["kwargs"]["channel"])
            )
        except ApplicationError:
            await self.close(code=CLOSE_NO_CHAT)
            return
        events.ensure_relay()
        # Join first, then read: a message written in between arrives twice, never not at all
        # (clients drop repeats by id). The process's hub listens for all its sockets.
        await chat_hub().join(self.channel, self)
        self.joined = True
        await self.accept()
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        after = _int((query.get("after") or [None])[0])
        await self._send_history(after)

    async def disconnect(self, code: int) -> None:
        if self.joined:
            await chat_hub().leave(self.channel, self)

    async def _send_history(self, after: int | None) -> None:
        batch = await _history(self.language, self.channel, after)
        await self.send_json({"type": "chat.history", "catch_up": after is not None, **batch})

    async def receive_json(self, content: object, **kwargs: object) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "catch_up":
            await self._send_history(_int(content.get("after")))
        elif kind == "send":
            client_id = str(content.get("client_id", ""))[:64]
            try:
                payload = await _post(
                    self.language, self.scope.get("user"), self.channel, content.get("body")
                )
            except ApplicationError as error:
                await self.send_json(
                    {
                        "type": "chat.error",
                        "client_id": client_id,
                        "code": error.code,
                        "message": error.message,
                    }
                )
                return
            await self.send_json({"type": "chat.ack", "client_id": client_id, "id": payload["id"]})
