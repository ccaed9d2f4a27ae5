"""Every websocket route of every app, mounted under /ws/."""

from __future__ import annotations

from accounts.routing import websocket_urlpatterns as account_routes
from livechat.routing import websocket_urlpatterns as chat_routes
from tickets.routing import websocket_urlpatterns as ticket_routes

websocket_urlpatterns = [*account_routes, *ticket_routes, *chat_routes]
