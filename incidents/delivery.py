"""How an update reaches one linked customer: a public reply on their ticket (emailed in
its language through the outbox, as any agent's reply), or a line in their chat."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from livechat.models import ChatMessage, Conversation
from livechat.services.messages import message_post
from tickets.models import Ticket
from tickets.services import ticket_reply


def to_ticket(ticket: Ticket, update) -> None:
    if ticket.status == Ticket.Status.CLOSED:
        return
    # The last update solves the request in the same email (one email per update).
    solve = update.resolves and ticket.status != Ticket.Status.SOLVED
    ticket_reply(actor=update.author, ticket=ticket, body=update.body(ticket.language), solve=solve)


def to_conversation(conversation: Conversation, update) -> None:
    if conversation.status == Conversation.Status.ENDED:
        return
    with translation.override(conversation.language):
        heading = _("Update on a known issue:")
    message_post(
        conversation=conversation,
        sender=ChatMessage.Sender.SYSTEM,
        body=f"{heading} {update.body(conversation.language)}",
        data={"kind": "incident_update", "incident": update.incident_id},
    )
