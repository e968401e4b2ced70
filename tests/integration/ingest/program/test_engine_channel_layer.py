"""A listening program engine must not hold back the other consumers of its web process.

channels_redis reads all process-local channels through one receive lock; an engine waiting on a
channel of a prefix of its own once held that lock, so no websocket in the process got its events
(go-live pages stuck on "Connecting…"). This runs on Redis whatever the test settings say.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer

from ingest.program.engine import ProgramEngine

pytestmark = pytest.mark.integration

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3")


class NoPrograms:
    """The engine's reporter with nothing running (no database needed)."""

    async def running_states(self) -> list[dict[str, Any]]:
        return []

    async def claim(self, *, program_id: int, node: str) -> bool:
        return True

    async def release(self, *, program_id: int, node: str) -> None:
        return None

    async def auto_cutaway(self, *, slug: str, seq: int, reason: str, node: str) -> None:
        return None

    async def auto_cutback(self, *, slug: str, seq: int, node: str) -> None:
        return None

    async def recording_finished(self, *, slug: str, path: str) -> None:
        return None


@pytest.fixture
def redis_layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    settings.PROGRAM_ENGINE_ENABLED = True
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def test_a_listening_engine_leaves_websocket_consumers_their_events(redis_layer, tmp_path) -> None:
    async def scenario() -> dict[str, Any]:
        # given the program engine listening in this process
        engine = ProgramEngine(reporter=NoPrograms(), root=tmp_path)
        await engine.start()
        await asyncio.sleep(0.2)  # its receive is now waiting on Redis
        try:
            # when an event is sent to a websocket consumer's channel of the same process
            layer = get_channel_layer()
            consumer_channel = await layer.new_channel()
            await layer.send(consumer_channel, {"type": "source.state", "state": "live"})
            # then the consumer receives it at once, not after the engine's receive times out
            return await asyncio.wait_for(layer.receive(consumer_channel), timeout=2)
        finally:
            await engine.stop()

    assert async_to_sync(scenario)() == {"type": "source.state", "state": "live"}
