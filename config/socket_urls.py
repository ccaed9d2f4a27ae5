"""Every websocket route of every app, mounted under /ws/ (config/asgi.py).

Each app keeps its websocket URLs in socket_urls.py, as it keeps its pages' in urls.py;
"routing" in Beacon means giving a chat to an agent (livechat/services/routing.py).
"""

from __future__ import annotations

from accounts.socket_urls import websocket_urlpatterns as account_routes
from livechat.socket_urls import websocket_urlpatterns as chat_routes
from tickets.socket_urls import websocket_urlpatterns as ticket_routes

websocket_urlpatterns = [*account_routes, *ticket_routes, *chat_routes]
