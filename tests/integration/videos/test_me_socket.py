"""/ws/me/ delivers a worker's video events to the owner, in the embedded and the scaled mode."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from fieldcast.core import events
from fieldcast.core.consumers import CLOSE_NOT_AUTHENTICATED, MeConsumer
from fieldcast.core.models import RelayedEvent
from fieldcast.videos import services
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.integration

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture(params=["embedded", "scaled"])
def mode(request, settings, monkeypatch):
    """Embedded: in-memory layer + DB relay. Scaled: Redis when REDIS_URL is set (CI's pg run);
    without Redis the same group_send path runs on an in-memory layer."""
    if request.param == "embedded":
        settings.CHANNEL_LAYERS = IN_MEMORY
    elif settings.REDIS_URL:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": "fc-test-me"},
            }
        }
    else:
        settings.CHANNEL_LAYERS = IN_MEMORY
        monkeypatch.setattr(events, "embedded_mode", lambda: False)
    return request.param


class Socket(ApplicationCommunicator):
    """A websocket client for a consumer (channels.testing needs daphne, which we do not ship)."""

    def __init__(self, user) -> None:
        scope = {"type": "websocket", "path": "/ws/me/", "headers": [], "user": user}
        super().__init__(MeConsumer.as_asgi(), scope)

    async def connect(self) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        reply = await self.receive_output(timeout=5)
        return reply["type"] == "websocket.accept", reply.get("code")

    async def receive_json_from(self, timeout: float) -> dict:  # noqa: ASYNC109
        reply = await self.receive_output(timeout=timeout)
        assert reply["type"] == "websocket.send"
        return json.loads(reply["text"])

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(timeout=2)


async def _socket(user) -> Socket:
    communicator = Socket(user)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


def test_owner_receives_progress_and_state_from_the_worker(mode, transactional_db):
    # given
    video = VideoFactory(state="uploaded")
    stranger = UserFactory(roles=["reporter"])

    async def scenario() -> tuple[list[dict], bool]:
        owner_socket = await _socket(video.owner)
        stranger_socket = await _socket(stranger)
        try:
            # when: the worker's service calls (in a thread, as in a Celery process)
            await database_sync_to_async(services.video_processing_start)(video_id=video.pk)
            await database_sync_to_async(services.video_processing_progress)(
                video_id=video.pk, percent=50
            )
            received = [
                await owner_socket.receive_json_from(timeout=5),
                await owner_socket.receive_json_from(timeout=5),
            ]
            stranger_heard = not await stranger_socket.receive_nothing(timeout=0.6)
            return received, stranger_heard
        finally:
            await owner_socket.disconnect()
            await stranger_socket.disconnect()
            await events.stop_relay()

    # when
    received, stranger_heard = async_to_sync(scenario)()
    # then
    assert [event["type"] for event in received] == ["video.state", "video.progress"]
    assert received[0]["state"] == "processing"
    assert received[1] == {"type": "video.progress", "video_id": video.pk, "percent": 50}
    assert stranger_heard is False
    assert RelayedEvent.objects.count() == (2 if mode == "embedded" else 0)


def test_anonymous_socket_is_closed(transactional_db):
    # given
    async def scenario() -> tuple[bool, int | None]:
        communicator = Socket(AnonymousUser())
        connected, code = await communicator.connect()
        return connected, code

    # when
    connected, code = async_to_sync(scenario)()
    # then
    assert (connected, code) == (False, CLOSE_NOT_AUTHENTICATED)


def test_relay_prunes_events_older_than_a_minute(transactional_db, settings):
    # given
    settings.CHANNEL_LAYERS = IN_MEMORY
    old = RelayedEvent.objects.create(group="user.1", payload={"type": "video.progress"})
    RelayedEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    fresh = RelayedEvent.objects.create(group="user.1", payload={"type": "video.progress"})
    # when
    async_to_sync(events._prune)()
    # then
    assert list(RelayedEvent.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_settings_default_to_embedded_mode_without_redis():
    # then
    assert events.embedded_mode() is (not settings.REDIS_URL)
