"""The bell's websocket URL; config/socket_urls.py mounts every app's."""

from django.urls import path

from accounts.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
