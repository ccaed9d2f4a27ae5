"""The console rail's queue counts, kept in the shared cache between ticket changes.

Counting the open tickets by queue is the dearest statement of a console page at
1,000,000 tickets (11–19 ms, issue 19), yet the counts only move when a ticket does. Every
change that moves them already tells the open consoles (tickets.groups); it now also
bumps a generation here, when the change is made and again at commit, before the
consoles hear of it. A person's counts
are kept with the generation they were counted under, for at most TTL seconds: breaches
and "recently solved" move with the clock, not with a change, and a person's team or
role can change without a ticket changing. Without the shared cache they are counted
every time, as before.

A page being drawn (the queue, a ticket) takes the person's kept counts even when a change
came since (`queue_counts_for_page`: at most TTL seconds old) and says they are stale; the
console's script then fetches fresh ones at once through the refresh endpoint, which
counts as before. The agent sees the page without waiting for the count, and the counts
a moment later, as after any change.
"""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import User
from core.generations import generation_bump, kept
from tickets.console.queues import queue_counts
from tickets.models import TicketType

GENERATION_KEY = "console:counts:generation"
TTL = 10


def _counts_key(user: User) -> str:
    return f"console:counts:user:{user.pk}"


def counts_changed() -> None:
    """A change that moves queue counts was made, or has just committed (tickets.groups
    calls this at both moments): counts kept until now are stale."""
    generation_bump(GENERATION_KEY)


def queue_counts_kept(*, user: User, types: Iterable[TicketType] = ()) -> dict[str, int]:
    """queue_counts for `user`, from the shared cache when no ticket changed since."""
    counts, _stale = _counts(user, types, stale_ok=False)
    return counts


def queue_counts_for_page(
    *, user: User, types: Iterable[TicketType] = ()
) -> tuple[dict[str, int], bool]:
    """(counts for `user`, True when they were kept from before the latest change): kept
    ones whatever changed since, counted only when none are kept."""
    return _counts(user, types, stale_ok=True)


def _counts(user: User, types: Iterable[TicketType], *, stale_ok: bool) -> tuple[dict, bool]:
    return kept(
        _counts_key(user),
        GENERATION_KEY,
        lambda: queue_counts(user=user, types=types),
        TTL,
        stale_ok=stale_ok,
    )
