"""Keeps a ticket's stored clock fields right after each change the services make.

The services call these inside their transaction, on the locked ticket row; none of them
saves, they return the names of the fields they changed for `save(update_fields=…)`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from tickets.models import SlaEscalation, Ticket
from tickets.sla import clock
from tickets.sla.policies import SlaRules, targets_of

S = Ticket.Status
# The resolution clock stands still while the customer has the ball, or it is solved.
STOPPED = {S.PENDING, S.SOLVED, S.CLOSED}
FIELDS = [
    "sla_policy",
    "first_responded_at",
    "awaiting_reply_since",
    "sla_paused_at",
    "sla_paused",
    "sla_target",
    "sla_warn_at",
    "sla_due_at",
    "sla_next_check_at",
]

Fired = set[tuple[str, str, str]]


def history_of(ticket: Ticket) -> clock.History:
    return clock.History(
        created_at=ticket.created_at,
        first_responded_at=ticket.first_responded_at,
        awaiting_reply_since=ticket.awaiting_reply_since,
        paused_at=ticket.sla_paused_at,
        paused=ticket.sla_paused,
        done=ticket.status in {S.SOLVED, S.CLOSED} or ticket.merged_into_id is not None,
    )


def _store_history(ticket: Ticket, history: clock.History) -> None:
    ticket.first_responded_at = history.first_responded_at
    ticket.awaiting_reply_since = history.awaiting_reply_since
    ticket.sla_paused_at = history.paused_at
    ticket.sla_paused = history.paused


def fired_steps(ticket_ids: list[int]) -> dict[int, Fired]:
    """The escalation steps already taken, per ticket: one query for any number of tickets."""
    fired: dict[int, Fired] = defaultdict(set)
    rows = SlaEscalation.objects.filter(ticket_id__in=ticket_ids).values_list(
        "ticket_id", "target", "step", "cycle"
    )
    for ticket_id, target, step, cycle in rows:
        fired[ticket_id].add((target, step, cycle))
    return fired


def clocks_of(ticket: Ticket, rules: SlaRules) -> list[clock.Clock]:
    """The running clocks of a ticket, soonest due first (for the pages and the sweep)."""
    policy = rules.policy_for(ticket)
    return clock.running_clocks(rules.schedule_for(ticket), targets_of(policy), history_of(ticket))


def sla_refresh(
    ticket: Ticket, *, rules: SlaRules | None = None, fired: Fired | None = None
) -> list[str]:
    """Recompute the policy, the soonest clock and the next sweep moment of `ticket`."""
    rules = rules or SlaRules.load(ticket=ticket)
    if fired is None:
        fired = fired_steps([ticket.id])[ticket.id] if ticket.id else set()
    ticket.sla_policy = rules.policy_for(ticket)
    clocks = clocks_of(ticket, rules)
    soonest = clocks[0] if clocks else None
    ticket.sla_target = soonest.target.value if soonest else ""
    ticket.sla_warn_at = soonest.warn_at if soonest else None
    ticket.sla_due_at = soonest.due_at if soonest else None
    ticket.sla_next_check_at = clock.next_check(clocks, fired)
    return FIELDS


def sla_status_changed(ticket: Ticket, *, before: str, now: dt.datetime) -> list[str]:
    """Stop the resolution clock on waiting/solved, carry the stopped time on leaving them."""
    rules = SlaRules.load(ticket=ticket)
    history = history_of(ticket)
    if ticket.status in STOPPED and before not in STOPPED:
        history = clock.pause(history, now)
    elif ticket.status not in STOPPED and before in STOPPED:
        history = clock.resume(rules.schedule_for(ticket), history, now)
    _store_history(ticket, history)
    return sla_refresh(ticket, rules=rules)


def sla_public_message(ticket: Ticket, *, by_staff: bool, at: dt.datetime) -> list[str]:
    """A staff reply answers the customer (first or next response); a customer message
    after the first response starts the next-response clock, unless one already runs."""
    if by_staff:
        ticket.first_responded_at = ticket.first_responded_at or at
        ticket.awaiting_reply_since = None
    elif ticket.first_responded_at is not None and ticket.awaiting_reply_since is None:
        ticket.awaiting_reply_since = at
    return sla_refresh(ticket)


def reply_due(ticket: Ticket) -> dt.datetime | None:
    """When we aim to answer the customer next (first or next response), if a clock runs."""
    if ticket.status not in {S.NEW, S.OPEN, S.ON_HOLD}:
        return None
    responses = {clock.Target.FIRST_RESPONSE, clock.Target.NEXT_RESPONSE}
    clocks = clocks_of(ticket, SlaRules.load(ticket=ticket))
    return min((c.due_at for c in clocks if c.target in responses), default=None)
