"""ASGI entry point: HTTP through Django (tus uploads streamed), websockets through Channels, and
the live ingest's listeners started and stopped with the server (lifespan)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fieldcast.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from fieldcast.routing import websocket_urlpatterns  # noqa: E402
from fieldcast.videos.tus import TusApp  # noqa: E402  (streams tus bodies; see its docstring)
from ingest.lifespan import IngestLifespan  # noqa: E402

application = IngestLifespan(
    ProtocolTypeRouter(
        {
            "http": TusApp(django_asgi_app),
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )
)
