"""Live chat's websocket URLs (the widget, the agent's console); config/socket_urls.py
mounts every app's."""

from __future__ import annotations

from django.urls import path

from livechat.consumers.agent import AgentChatConsumer
from livechat.consumers.customer import CustomerChatConsumer

websocket_urlpatterns = [
    path("ws/chat/agent/", AgentChatConsumer.as_asgi()),
    path("ws/chat/<uuid:public_id>/", CustomerChatConsumer.as_asgi()),
]
