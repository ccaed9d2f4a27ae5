"""Channel-layer group names for the ticket console, in one place (as livechat/groups.py
is for chat). The consumer is transport only; services send to these groups."""

from __future__ import annotations

from django.db import transaction

from core.realtime import broadcast_on_commit, group_name
from tickets import batch


def queues_group() -> str:
    """Every open console: queue counts changed."""
    return "console.queues"


def ticket_group(number: str) -> str:
    """Every console with one ticket open: who else is viewing or typing."""
    return group_name("console", "ticket", number)


def queues_changed_on_commit() -> None:
    """Tell every open console to refresh its counts once the change is committed (in a
    ticket batch, at most once a second and once at its end: tickets.batch).

    The counts consoles keep (tickets.console.count_cache) go stale now, for a reader in
    this very transaction, and again at commit, so nobody keeps counts read in between.
    """
    from tickets.console.count_cache import counts_changed

    counts_changed()
    transaction.on_commit(counts_changed, robust=True)
    if not batch.in_batch():
        broadcast_on_commit(queues_group(), {"type": "queues.changed"})
        return

    def committed() -> None:
        if batch.queues_changed_committed():
            broadcast_on_commit(queues_group(), {"type": "queues.changed"})  # now: committed

    transaction.on_commit(committed, robust=True)
