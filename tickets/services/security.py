"""Tickets the security desk opens and closes: a freeze, and each review that needs a person.

Called from tickets.security_desk, which listens to accounts' signals. Every ticket
carries a reference to what it is about (`fields["review"]`, e.g. "kyc:12"), so opening
twice returns the first ticket and a decision finds the ticket to close.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tickets.models import Ticket, TicketEvent, TicketMessage, TicketType
from tickets.services._common import _event, _internal_note, _next_number, _set_status
from tickets.sla import service as sla


def _open_ticket_for(reference: str) -> Ticket | None:
    return (
        Ticket.objects.select_for_update()
        .filter(fields__review=reference, status__in=Ticket.OPEN_STATUSES)
        .first()
    )


@transaction.atomic
def security_ticket_open(
    *,
    requester,
    type_slug: str,
    reference: str,
    subject: str,
    note: str,
    priority: str = Ticket.Priority.NORMAL,
    public_body: str = "",
) -> Ticket:
    """Open (or return the already open) ticket for `reference`.

    `note` is an internal note for the reviewers; `public_body`, if given, is the first
    message the customer sees in My requests (review types are never shown to them).
    """
    existing = _open_ticket_for(reference)
    if existing is not None:
        return existing
    ticket_type = TicketType.objects.get(slug=type_slug)
    now = timezone.now()
    ticket = Ticket(
        number=_next_number(now),
        requester=requester,
        type=ticket_type,
        subject=subject[:200],
        channel=Ticket.Channel.WEB,
        language=requester.language or "en",
        team=ticket_type.team,
        fields={"uid": str(requester.uid), "review": reference},
        priority=priority,
    )
    ticket.full_clean()
    ticket.save()
    ticket.save(update_fields=sla.sla_refresh(ticket, fired=set()))
    if public_body:
        TicketMessage.objects.create(ticket=ticket, author=None, body=public_body, by_staff=True)
    _internal_note(ticket, note)
    _event(ticket, None, TicketEvent.Kind.CREATED, to_value=ticket.status)
    return ticket


@transaction.atomic
def security_ticket_close(*, reference: str, note: str) -> Ticket | None:
    """Add the outcome as an internal note and mark the ticket solved; None if none is open."""
    ticket = _open_ticket_for(reference)
    if ticket is None:
        return None
    _internal_note(ticket, note)
    _set_status(ticket, None, Ticket.Status.SOLVED)
    return ticket


UNVERIFIED_SENDER_TAG = "unverified-sender"


# No savepoint inside a caller's transaction (email intake flags in a row): it refuses
# nothing, so there is nothing for a caller to catch and carry on from.
@transaction.atomic(savepoint=False)
def ticket_flag_unverified_sender(*, ticket: Ticket, note: str) -> Ticket:
    """Mark a ticket filed for an account by someone who only gave its email address
    (an anonymous chat visitor): agents see the tag and why, and act on nothing
    security-related on its say-so."""
    if UNVERIFIED_SENDER_TAG not in ticket.tags:
        ticket.tags = [*ticket.tags, UNVERIFIED_SENDER_TAG]
        ticket.save(update_fields=["tags", "updated_at"])
    _internal_note(ticket, note)
    return ticket
