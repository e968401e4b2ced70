"""/ws/chat/<channel>/: history on join, live messages to every socket, catch-up after a
reconnect, refusals to the sender only; in the embedded mode (database relay) and the scaled mode
(Redis when REDIS_URL is set)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.models import AnonymousUser

from community.chat import services as chat_services
from community.chat.consumers import CLOSE_NO_CHAT, ChatConsumer
from community.models import ChatMessage
from fieldcast.accounts.models import User
from fieldcast.core import events
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("chat_channels")]

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture(params=["embedded", "scaled"])
def mode(request, settings, monkeypatch):
    if request.param == "embedded":
        settings.CHANNEL_LAYERS = IN_MEMORY
    elif settings.REDIS_URL:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": "fc-test-chat"},
            }
        }
    else:
        settings.CHANNEL_LAYERS = IN_MEMORY
        monkeypatch.setattr(events, "embedded_mode", lambda: False)
    return request.param


class Socket(ApplicationCommunicator):
    def __init__(
        self, user: User | AnonymousUser, channel: str = "main", query: str = "", language: str = ""
    ) -> None:
        headers = [(b"accept-language", language.encode())] if language else []
        scope = {
            "type": "websocket",
            "path": f"/ws/chat/{channel}/",
            "query_string": query.encode(),
            "headers": headers,
            "user": user,
            "url_route": {"kwargs": {"channel": channel}},
        }
        super().__init__(ChatConsumer.as_asgi(), scope)
        self.pending: list[dict] = []

    async def connect(self) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        reply = await self.receive_output(timeout=5)
        return reply["type"] == "websocket.accept", reply.get("code")

    async def send_json(self, data: dict) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def next(self, kind: str, timeout: float = 5) -> dict:  # noqa: ASYNC109
        """The next event of one type; others are kept for later calls (an ack and the message
        itself can arrive in either order)."""
        for index, event in enumerate(self.pending):
            if event["type"] == kind:
                return self.pending.pop(index)
        while True:
            reply = await self.receive_output(timeout=timeout)
            assert reply["type"] == "websocket.send"
            event = json.loads(reply["text"])
            if event["type"] == kind:
                return event
            self.pending.append(event)

    async def close(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(timeout=2)


async def _joined(user: User | AnonymousUser, **kwargs: str) -> tuple[Socket, dict]:
    sock = Socket(user, **kwargs)
    connected, _code = await sock.connect()
    assert connected
    return sock, await sock.next("chat.history")


def test_a_message_reaches_every_socket_of_the_channel_only(mode, transactional_db):
    # given a writer, a reader of the same channel (anonymous), and a reader of another channel
    writer = UserFactory(display_name="Writer")

    async def scenario() -> tuple[dict, dict, dict, bool]:
        writer_sock, _ = await _joined(writer)
        reader_sock, _ = await _joined(AnonymousUser())
        other_sock, _ = await _joined(AnonymousUser(), channel="other")
        try:
            # when
            await writer_sock.send_json({"type": "send", "body": "<b>hello</b>", "client_id": "k1"})
            ack = await writer_sock.next("chat.ack")
            own = await writer_sock.next("chat.message")
            heard = await reader_sock.next("chat.message")
            other_heard = not await other_sock.receive_nothing(timeout=0.6)
            return ack, own, heard, other_heard
        finally:
            for sock in (writer_sock, reader_sock, other_sock):
                await sock.close()
            await events.stop_relay()

    ack, own, heard, other_heard = async_to_sync(scenario)()

    # then
    message = ChatMessage.objects.get()
    assert ack == {"type": "chat.ack", "client_id": "k1", "id": message.pk}
    assert own == heard
    assert heard["message"]["body"] == "<b>hello</b>"
    assert heard["message"]["author"]["name"] == "Writer"
    assert other_heard is False


def test_join_shows_the_last_messages_and_reconnect_catches_up(transactional_db, settings):
    # given three messages
    settings.CHANNEL_LAYERS = IN_MEMORY
    author = UserFactory()
    ids = [
        chat_services.chat_message_post(user=author, channel="main", body=f"m{i}").message.pk
        for i in range(3)
    ]

    async def scenario() -> tuple[dict, dict, dict]:
        fresh, history = await _joined(AnonymousUser())
        back, catch_up = await _joined(AnonymousUser(), query=f"after={ids[0]}")
        # a client can also ask on an open socket
        await back.send_json({"type": "catch_up", "after": ids[1]})
        asked = await back.next("chat.history")
        await fresh.close()
        await back.close()
        return history, catch_up, asked

    history, catch_up, asked = async_to_sync(scenario)()

    # then
    assert [m["body"] for m in history["messages"]] == ["m0", "m1", "m2"]
    assert history["catch_up"] is False
    assert [m["body"] for m in catch_up["messages"]] == ["m1", "m2"]
    assert catch_up["catch_up"] is True
    assert [m["body"] for m in asked["messages"]] == ["m2"]


def test_refusals_go_to_the_sender_only_in_their_language(transactional_db, settings):
    # given an anonymous reader and a signed-in writer reading Chinese
    settings.CHANNEL_LAYERS = IN_MEMORY
    writer = UserFactory()

    async def scenario() -> tuple[dict, dict, dict, bool]:
        writer_sock, _ = await _joined(writer, language="zh-CN,zh;q=0.9")
        anon_sock, _ = await _joined(AnonymousUser())
        try:
            # when the writer sends an empty message and something that is not text
            await writer_sock.send_json({"type": "send", "body": "   ", "client_id": "e1"})
            empty = await writer_sock.next("chat.error")
            await writer_sock.send_json({"type": "send", "body": {"x": 1}, "client_id": "e2"})
            not_text = await writer_sock.next("chat.error")
            # and the anonymous reader tries to write
            await anon_sock.send_json({"type": "send", "body": "hi", "client_id": "a1"})
            anon = await anon_sock.next("chat.error")
            writer_heard = not await writer_sock.receive_nothing(timeout=0.5)
            return empty, not_text, anon, writer_heard
        finally:
            await writer_sock.close()
            await anon_sock.close()
            await events.stop_relay()

    empty, not_text, anon, writer_heard = async_to_sync(scenario)()

    # then
    assert (empty["code"], empty["client_id"]) == ("empty", "e1")
    assert empty["message"] == "请先写点内容。"
    assert not_text["code"] == "invalid"
    assert anon["code"] == "not_authenticated"
    assert writer_heard is False
    assert ChatMessage.objects.count() == 0


def test_a_removal_and_a_mute_reach_the_channel(transactional_db, settings):
    # given
    settings.CHANNEL_LAYERS = IN_MEMORY
    editor = UserFactory(roles=["editor"])
    viewer = UserFactory()
    message = chat_services.chat_message_post(user=viewer, channel="main", body="rude").message

    async def scenario() -> tuple[dict, dict, dict]:
        sock, _ = await _joined(viewer)
        try:
            # when
            await database_sync_to_async(chat_services.chat_message_remove)(
                user=editor, channel="main", message_id=message.pk
            )
            removed = await sock.next("chat.removed")
            await database_sync_to_async(chat_services.chat_user_mute)(
                user=editor, channel="main", target_id=viewer.pk, seconds=60
            )
            muted = await sock.next("chat.muted")
            await sock.send_json({"type": "send", "body": "let me", "client_id": "m1"})
            refused = await sock.next("chat.error")
            return removed, muted, refused
        finally:
            await sock.close()
            await events.stop_relay()

    removed, muted, refused = async_to_sync(scenario)()

    # then
    assert removed == {"type": "chat.removed", "channel": "main", "id": message.pk}
    assert muted["user_id"] == viewer.pk
    assert refused["code"] == "muted"
    assert ChatMessage.objects.count() == 1


def test_a_channel_name_that_cannot_exist_is_closed(transactional_db):
    async def scenario() -> tuple[bool, int | None]:
        return await Socket(AnonymousUser(), channel="Not A Slug!").connect()

    # when
    connected, code = async_to_sync(scenario)()

    # then
    assert (connected, code) == (False, CLOSE_NO_CHAT)


def test_a_process_joins_a_channels_group_once_for_all_its_sockets(transactional_db, settings):
    # given an in-memory layer, where the group's members can be counted
    settings.CHANNEL_LAYERS = IN_MEMORY

    async def scenario() -> tuple[int, int, int]:
        layer = get_channel_layer()
        socks = [(await _joined(AnonymousUser()))[0] for _ in range(3)]
        with_three = len(layer.groups.get("chat.main", {}))
        for sock in socks[:2]:
            await sock.close()
        with_one = len(layer.groups.get("chat.main", {}))
        await socks[2].close()
        with_none = len(layer.groups.get("chat.main", {}))
        return with_three, with_one, with_none

    # when
    with_three, with_one, with_none = async_to_sync(scenario)()

    # then one membership while any socket listens, none after the last leaves
    assert (with_three, with_one, with_none) == (1, 1, 0)


def test_a_chat_nobody_opened_is_closed(transactional_db):
    async def scenario() -> tuple[bool, int | None]:
        return await Socket(AnonymousUser(), channel="my-own-chat").connect()

    # when someone connects to a name no program or event has
    connected, code = async_to_sync(scenario)()

    # then
    assert (connected, code) == (False, CLOSE_NO_CHAT)
