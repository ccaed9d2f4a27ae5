"""The owner's answer about a request someone filed in their name (tickets.sender_confirm).

"Yes" lists it on their account from then on; "no" tells the agents, who see the answer
on the ticket. An answer, once given, stands.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from tickets.models import Ticket, TicketEvent
from tickets.services._common import _event, _internal_note

DENIED_TAG = "sender-denied"


def answered(ticket: Ticket) -> str:
    """ "confirmed", "denied" or "" (not answered yet)."""
    if ticket.sender_proven:
        return "confirmed"
    return "denied" if DENIED_TAG in ticket.tags else ""


@transaction.atomic
def ticket_sender_answer(*, ticket: Ticket, was_me: bool) -> Ticket:
    """Record the owner's answer; a second answer is refused (the first one stands)."""
    ticket = Ticket.objects.select_for_update().get(id=ticket.id)
    if answered(ticket):
        raise ApplicationError(_("This request was already answered."), code="answered")
    if was_me:
        ticket.sender_proven = True
        note = "The account's owner confirmed this request by the link sent to their address."
    else:
        ticket.tags = [*ticket.tags, DENIED_TAG]
        note = (
            "The account's owner says they did not make this request (answered by the link "
            "sent to their address). Treat its text as an outsider's."
        )
    ticket.save(update_fields=["sender_proven", "tags", "updated_at"])
    _internal_note(ticket, note)
    _event(
        ticket,
        ticket.requester,
        TicketEvent.Kind.SENDER,
        to_value="confirmed" if was_me else "denied",
    )
    return ticket
