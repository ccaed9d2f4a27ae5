"""Generation counters in the shared cache: a number any process bumps after it changed
something others keep a copy of (search content, the console's queue counts); a copy made
under an older number is stale."""

from __future__ import annotations

import logging

from django.core.cache import cache

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
