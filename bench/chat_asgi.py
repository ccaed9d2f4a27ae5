"""The app as config.asgi serves it, plus a bare echo consumer at /ws/bench/echo/.

Mounted only by bench/chat_load.py's servers: the baseline for the chat's round trip on
the same servers, through the same middleware (origin check, session), with no work.
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chat_settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from config import websocket_server  # noqa: E402
from config.origins import OriginCheck  # noqa: E402
from config.socket_urls import websocket_urlpatterns  # noqa: E402

# As config/asgi.py: under daphne (chat_load.py --server daphne), frames past its size cap
# get the app's answer; the other servers import it and never use it, as in production.
websocket_server.install()

if os.environ.get("BEACON_BENCH_WORKER_THREADS"):
    # chat_load.py --worker-threads: the sockets' database threads per process, to see
    # whether they are what limits a process (a bench experiment, not a setting).
    from core.sockets import consumer

    consumer.WORKER_THREADS = int(os.environ["BEACON_BENCH_WORKER_THREADS"])
    consumer._start_pools()


class EchoConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        await self.send(text_data=text_data)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The origin check production uses (config/asgi.py), not Channels' host-based one.
        "websocket": OriginCheck(
            AuthMiddlewareStack(
                URLRouter([path("ws/bench/echo/", EchoConsumer.as_asgi()), *websocket_urlpatterns])
            )
        ),
    }
)
