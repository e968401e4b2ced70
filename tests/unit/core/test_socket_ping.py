"""Every websocket a page opens answers {"type": "ping"} with {"type": "pong"}.

The pages' socket helper (frontend/static/js/ws.js) pings every 20 s and treats a socket that hears
nothing within 10 s of a ping as dead: on a quiet socket the pong is all it hears.
"""

from __future__ import annotations

import asyncio

import pytest
from django.urls import URLPattern

from fieldcast.routing import websocket_urlpatterns


def _routes() -> list[tuple[str, type]]:
    routes = []
    for pattern in websocket_urlpatterns:
        assert isinstance(pattern, URLPattern)
        routes.append((str(pattern.pattern), pattern.callback.consumer_class))  # type: ignore[attr-defined]
    return routes


def test_every_page_socket_is_checked() -> None:
    # the list below must grow with the routes: a new socket without a pong would look dead
    assert [route for route, _consumer in _routes()] == [
        "ws/me/",
        "ws/chat/<slug:channel>/",
        "ws/live/sources/",
        "ws/live/sources/<uuid:source_key>/",
        "ws/studio/<slug:slug>/",
        "ws/live/<slug:slug>/",
    ]


@pytest.mark.parametrize(
    ("route", "consumer_class"), _routes(), ids=[route for route, _consumer in _routes()]
)
def test_a_socket_answers_a_ping_with_a_pong(route: str, consumer_class: type) -> None:
    # given a connected consumer of the route
    consumer = consumer_class()
    sent: list[object] = []

    async def send_json(content: object, close: bool = False) -> None:
        sent.append(content)

    consumer.send_json = send_json

    # when the page pings
    asyncio.run(consumer.receive_json({"type": "ping"}))

    # then it hears a pong, and nothing else
    assert sent == [{"type": "pong"}]
