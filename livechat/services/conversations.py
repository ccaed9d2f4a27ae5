"""A conversation's life as the customer sees it: start, hand-off, read, end, rating.

Every change is told to the conversation's sockets after commit (`conversation.update`,
`chat.read`); the consumers turn channel-layer events into frames (PROTOCOL.md).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.realtime import broadcast_to_groups_on_commit
from core.text import plain_text
from livechat.groups import conversation_audience
from livechat.models import ChatMessage, Conversation
from livechat.selectors import visitor_key_for
from livechat.services.messages import message_post
from livechat.services.queue import conversation_enqueue
from livechat.services.transitions import (
    Notice,
    agent_frame,
    conversation_broadcast_update,
    conversation_move,
)

MAX_RATING_COMMENT_CHARS = 2000


def conversation_frame(conversation: Conversation) -> dict:
    """`hello`'s `conversation` (PROTOCOL.md)."""
    return {
        "id": str(conversation.public_id),
        "status": conversation.status,
        "agent": agent_frame(conversation.agent),
        "last_id": conversation.last_seq,
    }


def _language(code: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return code if code in codes else settings.LANGUAGE_CODE


@transaction.atomic
def conversation_start(*, user, session_key: str | None, language: str, email: str = ""):
    """Open a chat with the bot for a signed-in customer or an anonymous session.

    A signed-in customer who already has an open chat gets that one back. An anonymous
    visitor must already have a session (the view makes one): the chat is theirs by that
    session alone. The bot's greeting is message 1.
    """
    signed_in = user is not None and user.is_authenticated
    if not signed_in and not session_key:
        raise ApplicationError(_("Your browser must accept cookies to chat."), code="no_session")
    if signed_in:
        # One open conversation per customer, across tabs and devices: a second tab (or
        # the phone) continues it rather than queueing a second one behind the first.
        open_one = (
            Conversation.objects.select_for_update()
            .filter(customer=user)
            .exclude(status=Conversation.Status.ENDED)
            .order_by("-created_at")
            .first()
        )
        if open_one is not None:
            return open_one
    conversation = Conversation(
        customer=user if signed_in else None,
        visitor_key="" if signed_in else visitor_key_for(session_key),
        visitor_email="" if signed_in else email.strip(),
        language=_language(language),
    )
    try:
        conversation.full_clean()
    except ValidationError as error:
        raise ApplicationError(
            _("Please check the email address."), code="invalid", extra=error.message_dict
        ) from error
    conversation.save()
    with translation.override(conversation.language):
        greeting = _(
            "Hi, I'm Beacon's assistant. Ask me anything about your account, deposits, "
            "withdrawals or verification; I can bring in a person whenever you like."
        )
    message_post(conversation=conversation, sender=ChatMessage.Sender.BOT, body=greeting)
    return conversation


@transaction.atomic
def conversation_handoff(*, conversation: Conversation, reason: str = "") -> Conversation:
    """The customer asked for a person: to the queue, and everyone is told.

    Already queued or with an agent: nothing changes (a double click is harmless).
    """
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.status == Conversation.Status.ENDED:
        raise ApplicationError(_("This chat has ended."), code="ended")
    if locked.status == Conversation.Status.BOT:
        # The queue tells everyone (queued, or the agent who took it at once).
        return conversation_enqueue(
            conversation=locked, reason=reason or "customer", by="customer", actor=locked.customer
        )
    conversation_broadcast_update(locked)
    return locked


@transaction.atomic
def conversation_read(*, conversation: Conversation, by: str, up_to: int) -> int:
    """Record how far `by` (customer or agent) has read; returns the stored mark.

    Marks only move forward and never past the last message; an unchanged mark is not
    broadcast again.
    """
    field = {"customer": "customer_read_seq", "agent": "agent_read_seq"}[by]
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    mark = min(max(int(up_to), 0), locked.last_seq)
    if mark <= getattr(locked, field):
        return getattr(locked, field)
    setattr(locked, field, mark)
    locked.save(update_fields=[field])
    broadcast_to_groups_on_commit(
        conversation_audience(locked.public_id),
        {
            "type": "chat.read",
            "conversation": str(locked.public_id),
            "by": by,
            "up_to": mark,
        },
    )
    return mark


@transaction.atomic
def conversation_end(*, conversation: Conversation, by: str, author=None) -> Conversation:
    """The customer ends the chat, or a sweep ends a visitor's chat who has left
    (idempotent): a system line in the transcript, then `conversation.update`; an agent's
    freed room goes to the next waiting chat (livechat.services.transitions)."""
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.status == Conversation.Status.ENDED:
        return locked
    with translation.override(locked.language):
        text = _("You ended the chat.") if by == "customer" else _("The chat has ended.")
    return conversation_move(
        locked,
        to=Conversation.Status.ENDED,
        by=by if by in ("customer", "agent", "supervisor") else "sweep",
        actor=author,
        reason=by,
        notice=Notice(text, {"kind": "ended", "by": by}, author),
    )


def conversation_customer_seen(*, conversation: Conversation) -> None:
    """A socket of the customer's is open (on connect and on close)."""
    Conversation.objects.filter(pk=conversation.pk).update(customer_seen_at=timezone.now())


def conversations_customer_seen(*, conversation_ids: list[int]) -> int:
    """The customer sockets of these conversations are open (each beat of a process that
    holds them: livechat.open_chats), in one statement."""
    return Conversation.objects.filter(pk__in=conversation_ids).update(
        customer_seen_at=timezone.now()
    )


# An anonymous visitor whose sockets have all been silent this long has left (closed the
# tab): a page change or a dropped network reconnects well within it.
ABANDONED_AFTER = timedelta(minutes=2)


def conversations_end_abandoned(*, now=None) -> int:
    """End anonymous chats still with the bot or waiting whose visitor has left, so no
    ghost holds a place in the queue; returns how many. A signed-in customer's chat stays
    (they may come back on another device; agents can still answer by email).

    Safe on several workers: each chat is ended under its row lock, once."""
    cutoff = (now or timezone.now()) - ABANDONED_AFTER
    ghosts = (
        Conversation.objects.filter(
            customer__isnull=True,
            status__in=[Conversation.Status.BOT, Conversation.Status.QUEUED],
        )
        .annotate(seen=Coalesce("customer_seen_at", "created_at"))
        .filter(seen__lt=cutoff)
        .values_list("pk", flat=True)[:500]
    )
    ended = 0
    for pk in list(ghosts):  # (each end tells the queue: positions move up at once)
        with transaction.atomic():
            locked = Conversation.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            seen = locked and (locked.customer_seen_at or locked.created_at)
            if locked is None or locked.customer is not None or seen >= cutoff:
                continue
            if locked.status in (Conversation.Status.BOT, Conversation.Status.QUEUED):
                conversation_end(conversation=locked, by="abandoned")
                ended += 1
    return ended


@transaction.atomic
def conversation_rate(*, conversation: Conversation, rating, comment: str = "") -> Conversation:
    """The customer's 1–5 rating of an ended chat; rating again replaces it.

    Only once the chat has ended: a rating judges the whole of the help given, and the
    CSAT figures count ended chats. A changed mind (a mis-tapped star) simply wins.
    """
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ApplicationError(_("A rating is a whole number from 1 to 5."), code="bad_rating")
    if not isinstance(comment, str) or len(comment) > MAX_RATING_COMMENT_CHARS:
        raise ApplicationError(
            _("A comment can be at most %(n)d characters.") % {"n": MAX_RATING_COMMENT_CHARS},
            code="too_long",
        )
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.status != Conversation.Status.ENDED:
        raise ApplicationError(_("You can rate the chat once it has ended."), code="not_ended")
    locked.rating = rating
    locked.rating_comment = plain_text(comment).strip()
    locked.save(update_fields=["rating", "rating_comment"])
    conversation_broadcast_update(locked)
    return locked
