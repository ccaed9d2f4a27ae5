"""ASGI entry point: Django for HTTP, Channels for websockets under /ws/.

Websockets pass the origin check (config/origins.py: the setting's explicit list), then
the session and the user (Channels' AuthMiddlewareStack), then their consumer, which asks
who may be there as the matching page does (accounts.sockets).
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

# Servers start as production unless told otherwise: a missing variable stops them with a
# message, never a DEBUG site. `make run` (manage.py run_portal) passes its own settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django_asgi_app = get_asgi_application()  # before any import that touches models

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config import websocket_server  # noqa: E402
from config.origins import OriginCheck  # noqa: E402
from config.socket_urls import websocket_urlpatterns  # noqa: E402

# daphne (`manage.py runserver`) imports this module before it listens: frames past its size
# cap get the app's `too_large` answer instead of a dropped connection
# (config/websocket_server.py; uvicorn gets the same from config/web.py).
websocket_server.install()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginCheck(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
