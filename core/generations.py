"""Generation counters in the shared cache: a number any process bumps after it changed
something others keep a copy of (search content, the console's queue counts and staff); a
copy made under an older number is stale. `kept` keeps such a copy."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

logger = logging.getLogger(__name__)


def generation_bump(key: str) -> int | None:
    """Add one to the counter `key` (made at 0, never expiring); None when the cache did
    not answer (the callers' copies then fall back on their own time limits)."""
    try:
        cache.add(key, 0, timeout=None)
        return cache.incr(key)
    except Exception:  # any cache backend's error: Redis is away
        logger.warning("generation %s not bumped", key, exc_info=True)
        return None


def kept(
    key: str, generation_key: str, compute: Callable[[], T], ttl: int, *, stale_ok: bool = False
) -> tuple[T, bool]:
    """(the value kept at `key`, or computed and kept; True when it was kept under an older
    generation). A kept value is used while `generation_key` has not moved since it was
    computed, or whatever moved with `stale_ok`; at most `ttl` seconds old. Without the
    cache, computed every time."""
    try:
        found = cache.get_many([generation_key, key])
    except Exception:
        logger.warning("%s: cache unavailable", key, exc_info=True)
        return compute(), False
    # The generation read before computing: a change committed meanwhile makes this stale.
    generation = found.get(generation_key, 0)
    copy = found.get(key)
    if copy is not None and (copy[0] == generation or stale_ok):
        return copy[1], copy[0] != generation
    value = compute()
    try:
        cache.set(key, (generation, value), ttl)
    except Exception:
        logger.warning("%s: not kept", key, exc_info=True)
    return value, False
