"""Which status changes are allowed, in one place for the pages, the API and tasks."""

from __future__ import annotations

from tickets.models import Ticket

S = Ticket.Status

# new → open → pending / on hold → solved → closed; solved may reopen.
TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.OPEN, S.PENDING, S.ON_HOLD, S.SOLVED},
    S.OPEN: {S.PENDING, S.ON_HOLD, S.SOLVED},
    S.PENDING: {S.OPEN, S.ON_HOLD, S.SOLVED},
    S.ON_HOLD: {S.OPEN, S.PENDING, S.SOLVED},
    S.SOLVED: {S.OPEN, S.CLOSED},
    S.CLOSED: set(),
}

# A customer may only mark their ticket solved, or reopen it.
CUSTOMER_TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.SOLVED},
    S.OPEN: {S.SOLVED},
    S.PENDING: {S.SOLVED},
    S.ON_HOLD: {S.SOLVED},
    S.SOLVED: {S.OPEN},
}

# How long after solving a customer may still reopen (then they file a new request).
REOPEN_DAYS = 7


def allowed(current: str, target: str, *, by_staff: bool) -> bool:
    table = TRANSITIONS if by_staff else CUSTOMER_TRANSITIONS
    return target in table.get(current, set())
