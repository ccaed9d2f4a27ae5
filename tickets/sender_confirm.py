"""Signed links by which the owner of an address confirms (or denies) a request someone
filed in their name (the answer: tickets.services.senders).

A request from an unproven sender (accounts.trust: an anonymous chat visitor who typed
the address, an unauthenticated email) is not listed on the account. The email Beacon
sends about it carries a signed link; following it proves the mailbox, and the owner
says whether the request was theirs. "Yes" lists it on their account from then on;
"no" tells the agents, who see the answer on the ticket. The link is for that ticket
and that account only, and an answer, once given, stands.
"""

from __future__ import annotations

from django.urls import reverse

from tickets import signed_links
from tickets.models import Ticket

SALT = "tickets.sender-confirm"
MAX_AGE_SECONDS = 14 * 24 * 3600


def confirm_path(ticket: Ticket) -> str:
    token = signed_links.make(salt=SALT, ticket_id=ticket.id, requester_id=ticket.requester_id)
    return reverse("tickets:sender-confirm", args=[token])


def ticket_for_token(token: str) -> Ticket | None:
    """The ticket the link names, or None for a tampered, foreign or expired link."""
    ids = signed_links.read(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    if ids is None:
        return None
    ticket_id, requester_id = ids
    return (
        Ticket.objects.select_related("requester", "type")
        .filter(id=ticket_id, requester_id=requester_id)
        .first()
    )
