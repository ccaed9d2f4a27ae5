"""A chat about a request the customer already has: find it by the TXIDs the customer
wrote, and add the chat to it instead of opening a second ticket.

Converting a chat (agent_actions.agent_convert) first asks `convert_offers`: when the
customer has open requests about a transaction ID they mentioned in the chat, the console
offers to attach the chat to one (`chat_attach`) or to open a new ticket anyway.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from livechat.models import ChatMessage, Conversation
from livechat.services.agent_actions import conversation_for_agent
from livechat.services.messages import message_post
from livechat.services.presence import presence_for
from livechat.services.transcripts import transcript_text
from tickets.fields import normalize_txid
from tickets.models import Ticket

# Transaction IDs as customers paste them: EVM (0x + 64 hex), 64 hex (BTC, TRON, …) and
# base58 signatures (Solana). Whole words only, so longer hex runs are not cut up.
_TXID = re.compile(
    r"(?<![0-9A-Za-z])(0x[0-9a-fA-F]{64}|[0-9a-fA-F]{64}|[1-9A-HJ-NP-Za-km-z]{86,88})(?![0-9A-Za-z])"
)
MAX_OFFERS = 3


def txids_in_chat(conversation: Conversation) -> set[str]:
    bodies = conversation.messages.filter(sender=ChatMessage.Sender.CUSTOMER).values_list(
        "body", flat=True
    )
    return {normalize_txid(found) for body in bodies for found in _TXID.findall(body)}


def convert_offers(*, user, public_id) -> list[Ticket]:
    """The customer's open requests about a TXID they wrote in this chat (newest first);
    none once the chat is a ticket, or for an anonymous visitor."""
    conversation = conversation_for_agent(user=user, public_id=public_id)
    if conversation.ticket_id or conversation.customer is None:
        return []
    txids = txids_in_chat(conversation)
    if not txids:
        return []
    return list(
        Ticket.objects.filter(
            requester=conversation.customer, status__in=Ticket.OPEN_STATUSES, txid__in=txids
        ).order_by("-created_at")[:MAX_OFFERS]
    )


@transaction.atomic
def chat_attach(*, user, public_id, number: str) -> Ticket:
    """Add the chat to the customer's open request `number`: the transcript as a file on an
    internal note, the chat linked to it, and the customer told. Again: the same ticket."""
    from tickets import services as ticket_services
    from tickets.services.files import ticket_attach_text

    conversation = conversation_for_agent(user=user, public_id=public_id, lock=True)
    if conversation.ticket_id:
        return conversation.ticket
    ticket = (
        Ticket.objects.filter(
            requester=conversation.customer, number=number, status__in=Ticket.OPEN_STATUSES
        ).first()
        if conversation.customer is not None and isinstance(number, str)
        else None
    )
    if ticket is None:
        raise ApplicationError(
            _("This customer has no open request with that number."), code="not_found"
        )
    note = _(
        "Live chat %(id)s added to this request by %(staff_id)s; the transcript is attached."
    ) % {
        "id": conversation.public_id,
        "staff_id": presence_for(user).staff_id,
    }
    try:
        message = ticket_services.ticket_reply(actor=user, ticket=ticket, body=note, internal=True)
    except PermissionDenied:
        raise ApplicationError(
            _("You cannot work on that request; ask its team."), code="forbidden"
        ) from None
    ticket_attach_text(
        message=message,
        name=f"chat-{conversation.public_id}.txt",
        text=transcript_text(conversation),
    )
    conversation.ticket = ticket
    conversation.save(update_fields=["ticket"])
    with translation.override(conversation.language):
        text = _("We have added this chat to your request %(number)s.") % {"number": ticket.number}
    message_post(
        conversation=conversation,
        sender=ChatMessage.Sender.SYSTEM,
        body=text,
        data={"event": "ticket_attached", "ticket": ticket.number},
    )
    return ticket
