"""The ticket console's websocket URL; config/socket_urls.py mounts every app's."""

from django.urls import path

from tickets.consumers import ConsoleConsumer

websocket_urlpatterns = [
    path("ws/console/", ConsoleConsumer.as_asgi()),
]
