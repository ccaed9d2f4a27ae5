"""Saving a chat message: stored (masked) and numbered before anyone is told of it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.realtime import broadcast_on_commit
from livechat import guard
from livechat.groups import conversation_group
from livechat.models import ChatMessage, Conversation

MAX_BODY_CHARS = 4000
MAX_CLIENT_ID_CHARS = 64


def message_frame(message: ChatMessage) -> dict:
    """The message as every client sees it (PROTOCOL.md, `message.new`)."""
    author = message.author
    presence = getattr(author, "chat_presence", None) if author is not None else None
    return {
        "id": message.seq,
        "sender": message.sender,
        "internal": message.visibility == ChatMessage.Visibility.INTERNAL,
        "author": author.first_name or "" if author is not None else "",
        "staff_id": presence.staff_id if presence is not None else "",
        "body": message.body,
        "masked": message.masked,
        "data": message.data,
        "client_id": message.client_id,
        "at": message.created_at.isoformat(),
    }


@transaction.atomic
def message_post(
    *,
    conversation: Conversation,
    sender: str,
    body: str,
    author=None,
    client_id: str = "",
    internal: bool = False,
    data: dict | None = None,
) -> tuple[ChatMessage, bool]:
    """Save a message and broadcast it after commit; (message, created).

    The same `client_id` again returns the first message and broadcasts nothing, so a
    client may retry until it has an ack. Sensitive data is masked before it is saved.
    """
    body = body.replace("\x00", "").strip()
    if not body:
        raise ApplicationError(_("A message cannot be empty."), code="empty")
    if len(body) > MAX_BODY_CHARS:
        raise ApplicationError(
            _("A message can be at most %(n)d characters.") % {"n": MAX_BODY_CHARS},
            code="too_long",
        )
    if len(client_id) > MAX_CLIENT_ID_CHARS:
        raise ApplicationError(_("client_id is too long."), code="bad_client_id")
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if client_id:
        existing = locked.messages.filter(client_id=client_id).first()
        if existing is not None:
            return existing, False
    checked = guard.scan(body) if sender == ChatMessage.Sender.CUSTOMER else guard.Scan(body)
    locked.last_seq += 1
    locked.save(update_fields=["last_seq"])
    message = ChatMessage.objects.create(
        conversation=locked,
        seq=locked.last_seq,
        sender=sender,
        author=author,
        visibility=ChatMessage.Visibility.INTERNAL if internal else ChatMessage.Visibility.PUBLIC,
        body=checked.body,
        masked=checked.found,
        data=data or {},
        client_id=client_id,
    )
    conversation.last_seq = locked.last_seq
    broadcast_on_commit(
        conversation_group(locked.public_id),
        # `conversation`: an agent's console hears several chats on one socket.
        {
            "type": "chat.message",
            "conversation": str(locked.public_id),
            "message": message_frame(message),
        },
    )
    return message, True
