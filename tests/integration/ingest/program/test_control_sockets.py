"""Studio websockets: only editors open the switcher channel; commands switch and every open
studio hears the new state; viewers' channel is public and read-only."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.contrib.auth.models import AnonymousUser

from ingest.models import LiveSource, Program, Protocol, SourceState
from ingest.program import services
from ingest.program.consumers import (
    CLOSE_FORBIDDEN,
    CLOSE_NOT_AUTHENTICATED,
    CLOSE_NOT_FOUND,
    LiveConsumer,
    StudioConsumer,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def _socket(consumer, user, slug: str = "main") -> ApplicationCommunicator:
    scope = {
        "type": "websocket",
        "path": f"/ws/x/{slug}/",
        "headers": [],
        "user": user,
        "url_route": {"args": (), "kwargs": {"slug": slug}},
    }
    return ApplicationCommunicator(consumer.as_asgi(), scope)


async def _connect(socket: ApplicationCommunicator) -> dict:
    await socket.send_input({"type": "websocket.connect"})
    return await socket.receive_output(timeout=5)


async def _json(socket: ApplicationCommunicator) -> dict:
    message = await socket.receive_output(timeout=5)
    assert message["type"] == "websocket.send", message
    return json.loads(message["text"])


async def _until(socket: ApplicationCommunicator, kind: str) -> dict:
    for _ in range(20):
        event = await _json(socket)
        if event["type"] == kind:
            return event
    raise AssertionError(f"no {kind}")


async def _close(socket: ApplicationCommunicator) -> None:
    await socket.send_input({"type": "websocket.disconnect", "code": 1000})
    await socket.wait(timeout=5)


def _approved_source() -> LiveSource:
    reporter = UserFactory(roles=["reporter"])
    return LiveSource.objects.create(
        reporter=reporter,
        title="Bridge",
        protocol=Protocol.WHIP,
        state=SourceState.APPROVED,
        connected=True,
    )


def test_only_editors_open_the_studio_socket(settings, reporter, editor) -> None:
    settings.CHANNEL_LAYERS = IN_MEMORY
    services.program_default()

    async def scenario() -> tuple:
        anonymous = await _connect(_socket(StudioConsumer, AnonymousUser()))
        refused = await _connect(_socket(StudioConsumer, reporter))
        unknown = await _connect(_socket(StudioConsumer, editor, slug="nope"))
        socket = _socket(StudioConsumer, editor)
        accepted = await _connect(socket)
        first = await _json(socket)
        await _close(socket)
        return anonymous, refused, unknown, accepted, first

    anonymous, refused, unknown, accepted, first = async_to_sync(scenario)()

    assert anonymous == {"type": "websocket.close", "code": CLOSE_NOT_AUTHENTICATED}
    assert refused == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    assert unknown == {"type": "websocket.close", "code": CLOSE_NOT_FOUND}
    assert accepted["type"] == "websocket.accept"
    assert (first["type"], first["slug"]) == ("program.state", "main")


def test_commands_switch_and_every_studio_hears_the_state(settings, editor) -> None:
    settings.CHANNEL_LAYERS = IN_MEMORY
    services.program_default()
    source = _approved_source()
    watcher = UserFactory(roles=["reporter", "editor"])

    async def scenario() -> tuple:
        mine = _socket(StudioConsumer, editor)
        theirs = _socket(StudioConsumer, watcher)
        await _connect(mine)
        await _json(mine)
        await _connect(theirs)
        await _json(theirs)
        replies = []
        for number, (action, extra) in enumerate(
            [("take", {}), ("start", {}), ("cut", {"source": str(source.key)})], start=1
        ):
            await mine.send_input(
                {
                    "type": "websocket.receive",
                    "text": json.dumps(
                        {"type": "command", "id": number, "action": action, **extra}
                    ),
                }
            )
            replies.append(await _until(mine, "command.ok"))
        # the watcher hears every state; the last one has the source on program
        state = None
        for _ in range(3):
            state = await _until(theirs, "program.state")
        # and the watcher, not holding the switcher, is refused with the reason
        await theirs.send_input(
            {
                "type": "websocket.receive",
                "text": json.dumps({"type": "command", "id": 9, "action": "slate"}),
            }
        )
        refusal = await _until(theirs, "command.error")
        await _close(mine)
        await _close(theirs)
        return replies, state, refusal

    replies, state, refusal = async_to_sync(scenario)()

    assert [reply["id"] for reply in replies] == [1, 2, 3]
    assert state["program_source"] == str(source.key)
    assert state["switcher_holder"]["id"] == editor.pk
    assert (refusal["id"], refusal["code"]) == (9, "not_switcher_holder")
    assert editor.public_name in refusal["message"]
    program = Program.objects.get(slug="main")
    assert (program.mode, program.program_source_id) == ("source", source.pk)


def test_the_viewer_socket_is_public_and_read_only(settings, editor) -> None:
    settings.CHANNEL_LAYERS = IN_MEMORY
    services.program_default()
    services.program_take_switcher(slug="main", editor=editor)
    services.program_start(slug="main", editor=editor)
    source = _approved_source()

    async def scenario() -> tuple:
        socket = _socket(LiveConsumer, AnonymousUser())
        accepted = await _connect(socket)
        first = await _json(socket)
        # a viewer's "command" does nothing
        await socket.send_input(
            {
                "type": "websocket.receive",
                "text": json.dumps({"type": "command", "id": 1, "action": "slate"}),
            }
        )
        await socket.send_input({"type": "websocket.receive", "text": '{"type": "ping"}'})
        pong = await _json(socket)
        await _close(socket)
        return accepted, first, pong

    accepted, first, pong = async_to_sync(scenario)()

    assert accepted["type"] == "websocket.accept"
    assert (first["type"], first["running"], first["on_air"]) == ("program.public", True, None)
    assert pong == {"type": "pong"}
    program = Program.objects.get(slug="main")
    assert program.mode == "slate"
    assert source.state == SourceState.APPROVED
