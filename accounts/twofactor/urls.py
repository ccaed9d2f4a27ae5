"""Customer pages, mounted under /account/ by accounts.urls (names are accounts:<name>)."""

from __future__ import annotations

urlpatterns: list = []
