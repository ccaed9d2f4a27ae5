"""What the email channel writes to tickets beyond what customers do on the site."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from tickets.models import Ticket, TicketEvent, TicketMessage
from tickets.services._common import _attach, _checked_files, _clean_body, _event, _masked

EMAIL_TAG_OTHER_SENDER = "other-sender"


@transaction.atomic
def ticket_note_from_email(
    *, ticket: Ticket, body: str, files: list[UploadedFile] | None = None, tag: str = ""
) -> TicketMessage:
    """An internal note with what arrived by email for agents' eyes only: mail about the
    ticket from someone other than its requester, an out-of-office, a bounce."""
    ticket = Ticket.objects.select_for_update().get(id=ticket.id)
    # Written by someone outside, not by staff: masked like a customer's message.
    (body,), found = _masked(_clean_body(body))
    checked = _checked_files(files)
    message = TicketMessage.objects.create(
        ticket=ticket,
        author=None,
        body=body,
        by_staff=True,
        visibility=TicketMessage.Visibility.INTERNAL,
        masked=found,
    )
    _attach(message, checked)
    if tag and tag not in ticket.tags:
        ticket.tags = [*ticket.tags, tag]
        ticket.save(update_fields=["tags", "updated_at"])
    _event(ticket, None, TicketEvent.Kind.NOTE)
    return message
