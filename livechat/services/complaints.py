"""A complaint about a chat, filed by the customer from its transcript.

It becomes a complaint ticket (type kind "complaint") with the transcript in its first
message. The link both ways: when the chat already has a ticket (converted by the agent,
or a message left), the complaint is about that ticket (`ticket.original`, through
tickets.services.ticket_complain); otherwise the complaint becomes the chat's ticket
(`conversation.ticket`). Either way `complaint_for(conversation)` finds it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from livechat.models import Conversation
from livechat.services.contacts import flag_if_unverified, sender_for
from livechat.services.transcripts import transcript_text
from tickets.models import Ticket, TicketType
from tickets.services import MAX_BODY, ticket_complain, ticket_create

MAX_COMPLAINT_CHARS = 4000


def complaint_for(conversation: Conversation) -> Ticket | None:
    """The complaint filed about this chat, if any."""
    ticket = conversation.ticket
    if ticket is None:
        return None
    if ticket.type.kind == TicketType.Kind.COMPLAINT:
        return ticket
    return ticket.complaints.order_by("-created_at").first()


def _body(conversation: Conversation, body: str) -> str:
    text = body + "\n\n" + _("--- Chat transcript ---") + "\n" + transcript_text(conversation)
    return text if len(text) <= MAX_BODY else text[: MAX_BODY - 1] + "…"


@transaction.atomic
def chat_complain(*, conversation: Conversation, body: str, email: str = "") -> Ticket:
    """File a complaint about the chat; a second one while the first is open is refused."""
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ApplicationError(_("Tell us what went wrong."), code="empty", extra={"field": "body"})
    if len(body) > MAX_COMPLAINT_CHARS:
        raise ApplicationError(
            _("A complaint can be at most %(n)d characters.") % {"n": MAX_COMPLAINT_CHARS},
            code="too_long",
            extra={"field": "body"},
        )
    if locked.last_seq == 0:
        raise ApplicationError(_("This chat has no messages to complain about."), code="empty")
    existing = complaint_for(locked)
    if existing is not None and existing.status != Ticket.Status.CLOSED:
        raise ApplicationError(
            _("You already complained about this chat: %(number)s.") % {"number": existing.number},
            code="complaint_exists",
            extra={"number": existing.number},
        )
    sender = sender_for(conversation=locked, email=email)
    requester = sender.account
    language = "zh-hans" if locked.language.startswith("zh") else "en"
    with translation.override(language):
        text = _body(locked, body)
        chat_ticket = locked.ticket
        if (
            sender.proven
            and chat_ticket is not None
            and chat_ticket.requester_id == requester.id
            and chat_ticket.type.kind != TicketType.Kind.COMPLAINT
        ):
            return ticket_complain(
                actor=requester, ticket=chat_ticket, body=text, language=language
            )
        complaint_type = TicketType.objects.filter(
            kind=TicketType.Kind.COMPLAINT, is_active=True
        ).first()
        if complaint_type is None:
            raise ApplicationError(
                _("Complaints cannot be filed right now."), code="no_complaint_type"
            )
        complaint = ticket_create(
            requester=requester,
            ticket_type=complaint_type,
            subject=_("Complaint about a live chat on %(date)s")
            % {"date": f"{locked.created_at:%Y-%m-%d}"},
            body=text,
            field_values={},
            channel=Ticket.Channel.CHAT,
            language=language,
            priority=Ticket.Priority.HIGH,
            proof=sender.proof,
        )
    flag_if_unverified(sender=sender, ticket=complaint)
    if locked.ticket is None:
        locked.ticket = complaint
        if locked.customer_id is None:
            locked.visitor_email = requester.email
        locked.save(update_fields=["ticket", "visitor_email"])
    return complaint
