"""Leave a message: when no agent can take the chat, it becomes a ticket instead.

Offered when no agent serving the chat's language (and skill) is signed in to the
console, or their team is outside business hours (livechat.services.routing). The ticket carries the message
and the transcript so far; the chat ends with a system message naming the ticket.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from livechat.models import ChatMessage, Conversation
from livechat.services.contacts import flag_if_unverified, sender_for
from livechat.services.messages import message_post
from livechat.services.routing import agents_available
from livechat.services.transcripts import transcript_text
from livechat.services.transitions import Notice, conversation_move
from tickets.models import Ticket, TicketType
from tickets.services import MAX_BODY, ticket_create

OFFLINE_TICKET_TYPE = "other"  # seeded by tickets/migrations/0002_ticket_types.py
MAX_MESSAGE_CHARS = 4000


def offline_offer(conversation: Conversation) -> bool:
    """Should the widget offer "Leave a message" for this chat now?"""
    if conversation.status == Conversation.Status.ENDED or conversation.ticket_id is not None:
        return False
    return not agents_available(conversation.language, conversation.skill)


def _subject(conversation: Conversation, body: str) -> str:
    first = " ".join(body.split())[:80]
    return _("Chat message: %(text)s") % {"text": first}


def _ticket_body(conversation: Conversation, body: str) -> str:
    text = body + "\n\n" + _("--- Chat so far ---") + "\n" + transcript_text(conversation)
    if len(text) > MAX_BODY:  # keep the message and the latest part of a long chat
        text = text[: MAX_BODY - 1] + "…"
    return text


@transaction.atomic
def offline_message_leave(
    *, conversation: Conversation, body: str, email: str = "", client_id: str = ""
) -> Ticket:
    """Turn the chat into a ticket with `body` and the transcript; the chat ends.

    Signed-in customers are the requester; an anonymous visitor gives an email (see
    livechat.services.contacts). Leaving a message twice returns the first ticket.
    """
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.ticket_id is not None:
        return locked.ticket
    if locked.status == Conversation.Status.ENDED:
        raise ApplicationError(_("This chat has ended."), code="ended")
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ApplicationError(_("Write your message."), code="empty", extra={"field": "body"})
    if len(body) > MAX_MESSAGE_CHARS:
        raise ApplicationError(
            _("A message can be at most %(n)d characters.") % {"n": MAX_MESSAGE_CHARS},
            code="too_long",
            extra={"field": "body"},
        )
    sender = sender_for(conversation=locked, email=email)
    requester = sender.account
    if locked.customer_id is None and requester.email != locked.visitor_email:
        locked.visitor_email = requester.email
    # The message is part of the chat too, masked like any other (the guard runs).
    message, _created = message_post(
        conversation=locked,
        sender=ChatMessage.Sender.CUSTOMER,
        body=body,
        client_id=client_id,
    )
    language = "zh-hans" if locked.language.startswith("zh") else "en"
    with translation.override(language):
        ticket = ticket_create(
            requester=requester,
            ticket_type=TicketType.objects.get(slug=OFFLINE_TICKET_TYPE),
            subject=_subject(locked, message.body),
            body=_ticket_body(locked, message.body),
            field_values={},
            channel=Ticket.Channel.CHAT,
            language=language,
            proof=sender.proof,
        )
        notice = _(
            "Thank you. Your message was saved as request %(number)s; we will answer by email."
        ) % {"number": ticket.number}
        if not sender.proven:
            notice += " " + _(
                "We emailed that address to ask whether it was you; answer there to see the "
                "request in your account."
            )
    flag_if_unverified(sender=sender, ticket=ticket)
    locked.ticket = ticket
    conversation_move(
        locked,
        to=Conversation.Status.ENDED,
        by="customer",
        actor=locked.customer,
        reason="offline_ticket",
        notice=Notice(notice, {"ticket": ticket.number, "kind": "offline_ticket"}),
        also=("ticket", "visitor_email"),
    )
    return ticket
