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

from django.core import signing
from django.urls import reverse

from tickets.models import Ticket

SALT = "tickets.sender-confirm"
MAX_AGE_SECONDS = 14 * 24 * 3600


def confirm_path(ticket: Ticket) -> str:
    token = signing.dumps({"t": ticket.id, "u": ticket.requester_id}, salt=SALT, compress=True)
    return reverse("tickets:sender-confirm", args=[token])


def ticket_for_token(token: str) -> Ticket | None:
    """The ticket the link names, or None for a tampered, foreign or expired link."""
    if len(token) > 200:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in ("t", "u")):
        return None
    return (
        Ticket.objects.select_related("requester", "type")
        .filter(id=data["t"], requester_id=data["u"])
        .first()
    )
