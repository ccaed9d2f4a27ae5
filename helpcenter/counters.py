"""Counters a page bumps in Redis, and a Celery task moves into the database.

A page view or a search must not write to the database (issue 19): it adds to a Redis
hash (HINCRBY, one round trip for all its fields), and a beat task flushes the hash.
The flush is idempotent: it first renames the live hash to a pending one (so new counts
go to a fresh hash), applies the pending hash in a transaction that also records its
name in CounterFlush, then deletes it. A flush that dies after its commit leaves the
pending hash, and the next run finds its name recorded and only deletes it; two flushes
racing on one hash collide on CounterFlush's unique name and one rolls back.

Each process adds up its counts for up to PUSH_INTERVAL seconds and sends them in one
pipeline, so a page view costs no Redis round trip either; a process killed meanwhile
loses that second of counts. Without Redis (the embedded default: one process, SQLite)
the counts are applied at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from redis.exceptions import RedisError

from helpcenter.models import CounterFlush

logger = logging.getLogger(__name__)

Counts = dict[str, int]
Apply = Callable[[Counts], None]
# A flush applies at most this many pending hashes a run (each one is one rename).
MAX_PENDING = 100
# Counts wait in the process at most this long before they go to Redis (seconds).
PUSH_INTERVAL = 1.0
# Redis key (prefixed as the cache does, at the time of counting) -> field -> count.
_waiting: dict[str, Counter] = {}
_waiting_lock = threading.Lock()
# Held while counts taken from _waiting are on their way to Redis: a flush's own push
# waits for a timer's in flight, so the flush finds those counts in the live hash (and
# not in the next one). Apart from _waiting_lock, so counting never waits on Redis.
_push_lock = threading.Lock()
_timer: list[threading.Timer] = []
# A pending hash waits at most one flush interval (minutes): its record is long useless after.
KEEP_FLUSHED = dt.timedelta(days=2)


def _client():
    """The Redis client behind Django's cache; None when the cache is not Redis."""
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return None
    return backend.get_client(write=True)


def counters_add(*, name: str, counts: Counts, apply: Apply) -> None:
    """Add `counts` to the live hash `name`, within PUSH_INTERVAL seconds. Never fails the
    caller: with Redis away the counts are lost (logged), which these statistics may be."""
    counts = {field: n for field, n in counts.items() if n}
    if not counts:
        return
    if _client() is None:
        apply(counts)
        return
    with _waiting_lock:
        _waiting.setdefault(cache.make_key(name), Counter()).update(counts)
        if not _timer:
            timer = threading.Timer(PUSH_INTERVAL, counters_push)
            timer.daemon = True
            _timer.append(timer)
            timer.start()


def counters_push() -> None:
    """Send the counts this process holds to Redis now (one pipeline)."""
    with _push_lock:
        with _waiting_lock:
            waiting = dict(_waiting)
            _waiting.clear()
            _timer.clear()
        if not waiting:
            return
        try:
            pipe = _client().pipeline(transaction=False)
            for key, fields in waiting.items():
                for field, n in fields.items():
                    pipe.hincrby(key, field, n)
            pipe.execute()
        except RedisError:
            logger.warning("counters lost: Redis did not answer", exc_info=True)


def _pending(client, name: str) -> Iterator[str]:
    prefix = cache.make_key(f"{name}:pending:")
    for key in client.scan_iter(match=f"{prefix}*", count=500):
        yield key.decode() if isinstance(key, bytes) else key


def counters_flush(*, name: str, apply: Apply) -> int:
    """Move the live hash `name` into the database through `apply`; returns how many
    fields were applied. Safe to run twice, or twice at once."""
    client = _client()
    if client is None:
        return 0
    counters_push()  # this process's own (a test's, or a management command's)
    live = cache.make_key(name)
    try:
        client.rename(live, cache.make_key(f"{name}:pending:{uuid.uuid4().hex}"))
    except RedisError as exc:  # "no such key": nothing counted since the last flush
        if "no such key" not in str(exc).lower():
            raise
    CounterFlush.objects.filter(created_at__lt=timezone.now() - KEEP_FLUSHED).delete()
    applied = 0
    for key in list(_pending(client, name))[:MAX_PENDING]:
        raw = client.hgetall(key)
        counts = {f.decode(): int(n) for f, n in raw.items()}
        try:
            with transaction.atomic():
                _, created = CounterFlush.objects.get_or_create(key=key)
                if created:
                    apply(counts)
                    applied += len(counts)
        except IntegrityError:  # another flush holds this hash; it deletes it
            continue
        client.delete(key)
    return applied
