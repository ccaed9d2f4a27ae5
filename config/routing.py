"""Every websocket route of every app, mounted under /ws/."""

from __future__ import annotations

from tickets.routing import websocket_urlpatterns as ticket_routes

websocket_urlpatterns = [*ticket_routes]
