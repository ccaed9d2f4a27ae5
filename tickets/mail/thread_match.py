"""Which ticket an incoming message belongs to.

In order: Beacon's own signed Message-IDs in In-Reply-To / References (any mail client
keeps them), then the signed reply address it was sent to, then a ticket number in the
subject, which only counts for mail from that ticket's requester: a number is easy to
guess, a signature is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from notifications import threads
from tickets.mail.parsed import ParsedMail
from tickets.models import Ticket
from tickets.notices import ticket_of_thread

_NUMBER_IN_SUBJECT = re.compile(r"(?<![0-9])([0-9]{6}-[0-9]{6})(?![0-9])")
_MERGE_HOPS = 5  # a merged ticket's replies go to what it was merged into


@dataclass(frozen=True)
class ThreadMatch:
    ticket: Ticket
    how: str  # "references", "reply address" or "subject"


def ticket_for_message(parsed: ParsedMail, sender) -> ThreadMatch | None:
    """The ticket `parsed` answers, or None for a new conversation. `sender` is the
    account the mail came from (or None)."""
    ids = [*parsed.in_reply_to, *reversed(parsed.references)]
    for thread in threads.threads_in_ids(ids):
        ticket = ticket_of_thread_id(thread)
        if ticket is not None:
            return ThreadMatch(ticket, "references")
    thread = threads.thread_in_addresses(a.address for a in parsed.to)
    ticket = ticket_of_thread_id(thread) if thread else None
    if ticket is not None:
        return ThreadMatch(ticket, "reply address")
    if sender is not None:
        for number in _NUMBER_IN_SUBJECT.findall(parsed.subject):
            ticket = Ticket.objects.filter(number=number, requester=sender).first()
            if ticket is not None:
                return ThreadMatch(_follow_merges(ticket), "subject")
    return None


def ticket_of_thread_id(thread: str) -> Ticket | None:
    """The ticket a signed thread names (following merges), or None."""
    ticket_id = ticket_of_thread(thread)
    ticket = Ticket.objects.filter(id=ticket_id).first() if ticket_id else None
    return _follow_merges(ticket) if ticket is not None else None


def _follow_merges(ticket: Ticket) -> Ticket:
    for _hop in range(_MERGE_HOPS):
        if ticket.merged_into_id is None:
            break
        ticket = Ticket.objects.get(id=ticket.merged_into_id)
    return ticket
