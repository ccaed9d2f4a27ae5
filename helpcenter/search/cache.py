"""A tiny per-process cache that rebuilds when the source table changes or a TTL passes."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db.models import Count, Max

from core.generations import generation_bump as shared_generation_bump

T = TypeVar("T")
logger = logging.getLogger(__name__)

# A counter in the shared cache that any process bumps after it changed search content
# (an edit, a worker's fresh embeddings); every process polls it at most once a second,
# so a change reaches all of them in about a second instead of the TTL.
GENERATION_KEY = "helpcenter:search:generation"
GENERATION_POLL = 1.0
_seen = {"value": 0, "checked": -GENERATION_POLL}


def generation() -> int:
    """The shared content generation, as this process last read it (≤ GENERATION_POLL old)."""
    now = time.monotonic()
    if now - _seen["checked"] >= GENERATION_POLL:
        _seen["checked"] = now
        try:
            _seen["value"] = int(cache.get(GENERATION_KEY) or 0)
        except Exception:  # the cache down: the TTL still refreshes
            logger.warning("search generation unavailable", exc_info=True)
    return _seen["value"]


def generation_bump() -> None:
    """Tell every process that search content changed (without the cache, other
    processes follow within their TTL)."""
    bumped = shared_generation_bump(GENERATION_KEY)
    if bumped is not None:
        _seen["value"], _seen["checked"] = bumped, time.monotonic()


class Refreshing(Generic[T]):
    """Holds `build()`'s result; rebuilds when `stamp()` changes, at most once per `ttl` seconds,
    and when another process bumped the generation.

    `stamp` is a cheap query (count and last update) so edits in the admin reach every
    process within `ttl` seconds even without the shared cache.
    """

    def __init__(self, build: Callable[[], T], stamp: Callable[[], object], ttl: float):
        self._build, self._stamp, self._ttl = build, stamp, ttl
        self._lock = threading.Lock()
        self._value: T | None = None
        self._key: object = None
        self._checked = 0.0
        self._generation = 0

    def get(self) -> T:
        now, current = time.monotonic(), generation()
        fresh = current == self._generation and now - self._checked < self._ttl
        if self._value is not None and fresh:
            return self._value
        with self._lock:
            key = self._stamp()
            if self._value is None or key != self._key or current != self._generation:
                self._value, self._key = self._build(), key
            self._checked, self._generation = time.monotonic(), current
            return self._value

    def clear(self) -> None:
        with self._lock:
            self._value, self._key, self._checked = None, None, 0.0


def published_articles_stamp() -> object:
    """How many articles are published and when the last changed: a cheap `stamp` for
    caches built from the published articles."""
    from helpcenter.models import Article

    return Article.objects.filter(status=Article.Status.PUBLISHED).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
