"""Live websocket routes (included in fieldcast.routing)."""

from django.urls import URLPattern, URLResolver, path

from ingest.consumers import SourceConsumer, SourcesConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    path("ws/live/sources/", SourcesConsumer.as_asgi()),
    path("ws/live/sources/<uuid:source_key>/", SourceConsumer.as_asgi()),
]
