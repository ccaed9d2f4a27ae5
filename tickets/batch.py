"""One batch of tickets made in a row (a mailbox poll, a replayed backlog): what stays put
for its length is read once, and the consoles hear about it at most once a second.

Outside `ticket_batch()` nothing changes: every lookup reads the database, every change
tells the consoles after its own commit. Inside, the ticket types and SLA rules read by
the first message serve the rest (an admin's change applies from the next batch, a
minute at most for the mail poll), the queue-count broadcast of many commits is one, and
the emails they make are queued together when the batch ends (notifications.outbox).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from notifications.outbox import emails_queued_together

T = TypeVar("T")

# How often, at most, a batch tells the consoles that queue counts changed.
BROADCAST_EVERY_SECONDS = 1.0


class _Batch:
    def __init__(self) -> None:
        self.lookups: dict[tuple[Any, ...], Any] = {}
        self.queues_changed = False
        self.queues_told_at = 0.0


_current: ContextVar[_Batch | None] = ContextVar("ticket_batch", default=None)


@contextmanager
def ticket_batch() -> Iterator[None]:
    """Run a batch; nested batches are one."""
    if _current.get() is not None:
        yield
        return
    batch = _Batch()
    token = _current.set(batch)
    try:
        with emails_queued_together():  # the batch's emails: one task per hundred
            yield
    finally:
        _current.reset(token)
        if batch.queues_changed:
            _tell_queues()


def batch_cached(key: tuple[Any, ...], load: Callable[[], T]) -> T:
    """`load()`, once per batch for `key`; every time outside a batch."""
    batch = _current.get()
    if batch is None:
        return load()
    if key not in batch.lookups:
        batch.lookups[key] = load()
    return batch.lookups[key]


def in_batch() -> bool:
    return _current.get() is not None


def queues_changed_committed() -> bool:
    """Called once a change to queue counts has committed: True if the caller should tell
    the consoles now (outside a batch, or a second since the batch last did)."""
    batch = _current.get()
    if batch is None:
        return True
    now = time.monotonic()
    if now - batch.queues_told_at >= BROADCAST_EVERY_SECONDS:
        batch.queues_told_at, batch.queues_changed = now, False
        return True
    batch.queues_changed = True  # told when the batch ends, or by a later commit
    return False


def _tell_queues() -> None:
    from tickets.groups import queues_changed_on_commit

    queues_changed_on_commit()
