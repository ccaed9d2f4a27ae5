"""Every websocket route of every app, mounted under /ws/ (live chat adds its own)."""

from __future__ import annotations

websocket_urlpatterns: list = []
