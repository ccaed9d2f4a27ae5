"""One change to many tickets at once, all or nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from tickets.models import (
    Ticket,
)
from tickets.services.merging import _bulk_merge
from tickets.services.work import (
    ticket_assign,
    ticket_change_priority,
    ticket_change_status,
    ticket_tag,
)

BULK_ACTIONS = ("assign", "status", "priority", "tag", "merge")


@transaction.atomic
def tickets_bulk_update(
    *, actor, tickets: list[Ticket], action: str, value: str, assignee=None
) -> int:
    """One change to many tickets, all or nothing: a refusal names the ticket and undoes all.

    For "merge", `value` is the number of the ticket the others are merged into.
    """
    if action not in BULK_ACTIONS:
        raise ApplicationError(_("Unknown bulk action."), code="bulk_action")
    if action == "merge":
        return _bulk_merge(actor=actor, tickets=tickets, number=value)
    for ticket in tickets:
        try:
            if action == "assign":
                ticket_assign(actor=actor, ticket=ticket, assignee=assignee)
            elif action == "status":
                ticket_change_status(actor=actor, ticket=ticket, status=value)
            elif action == "priority":
                ticket_change_priority(actor=actor, ticket=ticket, priority=value)
            else:
                ticket_tag(actor=actor, ticket=ticket, add=[value])
        except ApplicationError as exc:
            raise ApplicationError(f"{ticket.number}: {exc.message}", code=exc.code) from exc
    return len(tickets)
