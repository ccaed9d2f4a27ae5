"""Every read of chats; who may see a conversation is decided here, once."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.http import HttpRequest

from livechat.models import ChatMessage, Conversation


def visitor_key_for(session_key: str | None) -> str:
    """An anonymous visitor's key: their session, hashed (the key itself is a credential)."""
    return hashlib.sha256(session_key.encode()).hexdigest() if session_key else ""


def conversation_for_participant(
    *, user, session_key: str | None, public_id
) -> Conversation | None:
    """The conversation if this customer (or anonymous browser) owns it, else None.

    Staff reach chats through their assignments (see the agent services), not here.
    """
    rows = Conversation.objects.filter(public_id=public_id)
    if user is not None and user.is_authenticated:
        return rows.filter(customer=user).first()
    key = visitor_key_for(session_key)
    return rows.filter(customer__isnull=True, visitor_key=key).first() if key else None


def conversation_for_request(request: HttpRequest, public_id) -> Conversation | None:
    return conversation_for_participant(
        user=request.user, session_key=request.session.session_key, public_id=public_id
    )


def messages_after(
    *, conversation: Conversation, after: int, include_internal: bool = False
) -> QuerySet[ChatMessage]:
    """What a client that saw up to `after` has missed, in order."""
    rows = conversation.messages.filter(seq__gt=after).select_related(
        "author", "author__chat_presence"
    )
    if not include_internal:
        rows = rows.filter(visibility=ChatMessage.Visibility.PUBLIC)
    return rows.order_by("seq")
