"""Live websockets: who may listen, and what they hear."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.contrib.auth.models import AnonymousUser

from ingest import events, services
from ingest.consumers import (
    CLOSE_FORBIDDEN,
    CLOSE_NOT_AUTHENTICATED,
    SourceConsumer,
    SourcesConsumer,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def _socket(consumer, user, path: str, kwargs: dict | None = None) -> ApplicationCommunicator:
    scope = {
        "type": "websocket",
        "path": path,
        "headers": [],
        "user": user,
        "url_route": {"args": (), "kwargs": kwargs or {}},
    }
    return ApplicationCommunicator(consumer.as_asgi(), scope)


async def _connect(socket: ApplicationCommunicator) -> dict:
    await socket.send_input({"type": "websocket.connect"})
    return await socket.receive_output(timeout=5)


def test_sources_socket_is_for_editors_and_carries_media_events(settings, reporter, editor) -> None:
    settings.CHANNEL_LAYERS = IN_MEMORY

    async def scenario() -> tuple:
        anonymous = await _connect(_socket(SourcesConsumer, AnonymousUser(), "/ws/live/sources/"))
        refused = await _connect(_socket(SourcesConsumer, reporter, "/ws/live/sources/"))
        socket = _socket(SourcesConsumer, editor, "/ws/live/sources/")
        accepted = await _connect(socket)
        await events.send_media_event(
            source_key="abc",
            event={"type": "source.preview", "source": "abc", "jpeg": "AAAA", "seq": 0},
            to_reporter=False,
        )
        heard = await socket.receive_output(timeout=5)
        await socket.send_input({"type": "websocket.disconnect", "code": 1000})
        await socket.wait(timeout=5)
        return anonymous, refused, accepted, heard

    anonymous, refused, accepted, heard = async_to_sync(scenario)()

    assert anonymous == {"type": "websocket.close", "code": CLOSE_NOT_AUTHENTICATED}
    assert refused == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    assert accepted["type"] == "websocket.accept"
    assert heard["type"] == "websocket.send"
    assert '"type": "source.preview"' in heard["text"]


def test_source_socket_is_for_its_reporter_and_says_the_state_at_once(settings, reporter) -> None:
    settings.CHANNEL_LAYERS = IN_MEMORY
    _key, secret = services.stream_key_create(user=reporter, name="Pier")
    grant = services.source_publish_start(secret=secret, protocol="whip", session_id="s1")
    stranger = UserFactory(roles=["reporter"])
    path = f"/ws/live/sources/{grant.source_key}/"

    async def scenario() -> tuple:
        refused = await _connect(
            _socket(SourceConsumer, stranger, path, {"source_key": grant.source_key})
        )
        socket = _socket(SourceConsumer, reporter, path, {"source_key": grant.source_key})
        accepted = await _connect(socket)
        first = await socket.receive_output(timeout=5)
        await socket.send_input({"type": "websocket.disconnect", "code": 1000})
        await socket.wait(timeout=5)
        return refused, accepted, first

    refused, accepted, first = async_to_sync(scenario)()

    assert refused == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    assert accepted["type"] == "websocket.accept"
    assert '"state": "connecting"' in first["text"]
    assert '"title": "Pier"' in first["text"]
