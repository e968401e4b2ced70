"""Websocket routes of every app, gathered in one list for the ASGI router."""

from django.urls import URLPattern, URLResolver, path

from community.chat.consumers import ChatConsumer
from fieldcast.core.consumers import MeConsumer
from ingest.routing import websocket_urlpatterns as ingest_websockets

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    path("ws/me/", MeConsumer.as_asgi()),
    path("ws/chat/<slug:channel>/", ChatConsumer.as_asgi()),
    *ingest_websockets,
]
