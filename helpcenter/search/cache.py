"""A tiny per-process cache that rebuilds when the source table changes or a TTL passes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Refreshing(Generic[T]):
    """Holds `build()`'s result; rebuilds when `stamp()` changes, at most once per `ttl` seconds.

    `stamp` is a cheap query (count and last update) so edits in the admin reach every
    process within `ttl` seconds without a message bus.
    """

    def __init__(self, build: Callable[[], T], stamp: Callable[[], object], ttl: float):
        self._build, self._stamp, self._ttl = build, stamp, ttl
        self._lock = threading.Lock()
        self._value: T | None = None
        self._key: object = None
        self._checked = 0.0

    def get(self) -> T:
        now = time.monotonic()
        if self._value is not None and now - self._checked < self._ttl:
            return self._value
        with self._lock:
            key = self._stamp()
            if self._value is None or key != self._key:
                self._value, self._key = self._build(), key
            self._checked = time.monotonic()
            return self._value

    def clear(self) -> None:
        with self._lock:
            self._value, self._key, self._checked = None, None, 0.0
