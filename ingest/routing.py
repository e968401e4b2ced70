"""Live websocket routes (included in fieldcast.routing)."""

from django.urls import URLPattern, URLResolver, path

from ingest.consumers import SourceConsumer, SourcesConsumer
from ingest.program.consumers import LiveConsumer, StudioConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    path("ws/live/sources/", SourcesConsumer.as_asgi()),
    path("ws/live/sources/<uuid:source_key>/", SourceConsumer.as_asgi()),
    path("ws/studio/<slug:slug>/", StudioConsumer.as_asgi()),
    path("ws/live/<slug:slug>/", LiveConsumer.as_asgi()),
]
