"""Saving a chat message: stored (masked) and numbered before anyone is told of it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.realtime import broadcast_to_groups_on_commit
from core.text import plain_text
from livechat import guard
from livechat.groups import conversation_audience
from livechat.models import ChatMessage, Conversation
from livechat.signals import chat_message_posted

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


def _checked_body(body: str, client_id: str) -> str:
    body = plain_text(body).strip()  # (why on the way in: core.text)
    if not body:
        raise ApplicationError(_("A message cannot be empty."), code="empty")
    if len(body) > MAX_BODY_CHARS:
        raise ApplicationError(
            _("A message can be at most %(n)d characters.") % {"n": MAX_BODY_CHARS},
            code="too_long",
        )
    if len(client_id) > MAX_CLIENT_ID_CHARS:
        raise ApplicationError(_("client_id is too long."), code="bad_client_id")
    return body


def _lock(conversation: Conversation, client_id: str) -> Conversation:
    """The conversation's row, locked; `retried_id` is the message already saved under
    `client_id`, if any.

    One query for both: the lock numbers messages one at a time, and a retry found
    under it cannot race the first try.
    """
    rows = Conversation.objects.select_for_update()
    if client_id:
        first_try = ChatMessage.objects.filter(conversation=OuterRef("pk"), client_id=client_id)
        # order_by(): the default ordering would join the conversation for nothing.
        rows = rows.annotate(retried_id=Subquery(first_try.order_by().values("pk")[:1]))
    locked = rows.get(pk=conversation.pk)
    if not client_id:
        locked.retried_id = None
    return locked


def _save(
    locked: Conversation,
    *,
    sender: str,
    body: str,
    author,
    client_id: str,
    internal: bool,
    data: dict | None,
) -> ChatMessage:
    """Number, mask, store and (after commit) broadcast. Inside the transaction that
    locked `locked`."""
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
    broadcast_to_groups_on_commit(
        # An internal note goes to the agents' group only, never the customer's.
        conversation_audience(locked.public_id, customer=not internal),
        # `conversation`: an agent's console hears several chats on one socket.
        {
            "type": "chat.message",
            "conversation": str(locked.public_id),
            "message": message_frame(message),
        },
    )
    return message


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
    body = _checked_body(body, client_id)
    locked = _lock(conversation, client_id)
    if locked.retried_id is not None:
        return ChatMessage.objects.get(pk=locked.retried_id), False
    message = _save(
        locked,
        sender=sender,
        body=body,
        author=author,
        client_id=client_id,
        internal=internal,
        data=data,
    )
    chat_message_posted.send(sender=ChatMessage, message=message)  # in this transaction
    conversation.last_seq = locked.last_seq
    return message, True


@transaction.atomic
def message_post_by_customer(
    *, conversation: Conversation, body: str, author=None, client_id: str
) -> tuple[ChatMessage, bool]:
    """The customer's message, as `message_post`, into a chat that has not ended.

    The end is checked under the row lock, so no message slips in after it. The
    caller's `conversation` comes back as the locked row read it (status included):
    the socket needs no second read to know whether the bot answers.
    """
    body = _checked_body(body, client_id)
    locked = _lock(conversation, client_id)
    _copy_fields(locked, into=conversation)
    if locked.status == Conversation.Status.ENDED:
        raise ApplicationError(_("This chat has ended; please start a new one."), code="ended")
    if locked.retried_id is not None:
        return ChatMessage.objects.get(pk=locked.retried_id), False
    message = _save(
        locked,
        sender=ChatMessage.Sender.CUSTOMER,
        body=body,
        author=author,
        client_id=client_id,
        internal=False,
        data=None,
    )
    conversation.last_seq = locked.last_seq
    return message, True


def _copy_fields(source: Conversation, *, into: Conversation) -> None:
    """What refresh_from_db() would do, from a row already read."""
    for field in Conversation._meta.concrete_fields:
        setattr(into, field.attname, getattr(source, field.attname))
