"""A chat's transcript: as plain text (download, tickets) and by email through the outbox.

Only public messages, as stored (sensitive data already masked). The email's kind is
in KINDS, listed in livechat/notification_kinds.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import notifications
from accounts.selectors import account_for_verified_email
from core.exceptions import ApplicationError
from livechat.models import ChatMessage, Conversation
from livechat.selectors import messages_after

TRANSCRIPT_EMAIL = "livechat.transcript"


def _language(conversation: Conversation) -> str:
    return "zh-hans" if conversation.language.startswith("zh") else "en"


def _speaker(message: ChatMessage, *, for_staff: bool) -> str:
    if message.sender == ChatMessage.Sender.CUSTOMER:
        return _("Customer") if for_staff else _("You")
    if message.sender == ChatMessage.Sender.BOT:
        return _("Beacon bot")
    if message.sender == ChatMessage.Sender.AGENT:
        author = message.author
        name = (author.first_name if author is not None else "") or _("Agent")
        presence = getattr(author, "chat_presence", None) if author is not None else None
        if presence is not None:
            return _("%(name)s (staff ID %(staff_id)s)") % {
                "name": name,
                "staff_id": presence.staff_id,
            }
        return name
    return _("Beacon")


def _labelled(label: str, value: str) -> str:
    """The label, the active language's colon and the value (您：… in Chinese)."""
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def _line(message: ChatMessage, *, for_staff: bool = False) -> str:
    at = message.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    said = _labelled(_speaker(message, for_staff=for_staff), message.body)
    articles = (message.data or {}).get("articles") or []
    links = [
        "  - " + _labelled(a.get("title", ""), a.get("url", "")) for a in articles if a.get("url")
    ]
    return "\n".join([f"[{at} UTC] {said}", *links])


def transcript_messages(conversation: Conversation, *, up_to: int | None = None):
    rows = messages_after(conversation=conversation, after=0)
    return rows.filter(seq__lte=up_to) if up_to is not None else rows


def transcript_lines(conversation: Conversation, *, internal: bool = False) -> list[str]:
    """For staff (a ticket made from the chat): the public messages, or only the internal
    notes, in the active language."""
    rows = messages_after(conversation=conversation, after=0, include_internal=internal)
    if internal:
        rows = rows.filter(visibility=ChatMessage.Visibility.INTERNAL)
    return [_line(message, for_staff=True) for message in rows]


def transcript_text(conversation: Conversation, *, up_to: int | None = None) -> str:
    """The chat as plain text, in the chat's language, times in UTC."""
    with translation.override(_language(conversation)):
        started = conversation.created_at.astimezone(dt.UTC)
        head = [
            _("Beacon live chat transcript"),
            _("Chat %(id)s, started %(at)s UTC")
            % {"id": conversation.public_id, "at": started.strftime("%Y-%m-%d %H:%M")},
            "",
        ]
        lines = [_line(m) for m in transcript_messages(conversation, up_to=up_to)]
        if not lines:
            lines = [_("(no messages yet)")]
        return "\n".join([*head, *lines]) + "\n"


def transcript_filename(conversation: Conversation) -> str:
    return f"beacon-chat-{conversation.created_at:%Y%m%d}-{str(conversation.public_id)[:8]}.txt"


@transaction.atomic
def transcript_email(*, conversation: Conversation, email: str = "") -> str:
    """Queue the transcript (up to the latest message) to the chat's owner; returns the address.

    Only a signed-in customer's chat, and only to their account's verified address
    (accounts.trust): an anonymous visitor could otherwise send Beacon's email, with
    someone else's anti-phishing code, to any address. Anonymous visitors download it.
    `email` is ignored. Asking again with nothing new sends nothing more (the outbox's
    dedupe key names the last message).
    """
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.last_seq == 0:
        raise ApplicationError(_("There is nothing to send yet."), code="empty")
    recipient = locked.customer
    if recipient is None:
        raise ApplicationError(
            _("Sign in to have a transcript emailed to you; you can download it here."),
            code="sign_in_required",
        )
    if account_for_verified_email(email=recipient.email) != recipient:
        raise ApplicationError(
            _("Verify your email address first; you can download the transcript here."),
            code="email_unverified",
        )
    notifications.notify(
        kind=TRANSCRIPT_EMAIL,
        recipient=recipient,
        context={"conversation_id": locked.id, "up_to": locked.last_seq},
        language=_language(locked),
        dedupe_key=f"{TRANSCRIPT_EMAIL}:{locked.id}:{locked.last_seq}",
    )
    return recipient.email


def _email_context(context: Mapping[str, Any]) -> dict[str, Any]:
    conversation = notifications.load_or_obsolete(
        Conversation, context["conversation_id"], what="the chat"
    )
    up_to = int(context["up_to"])
    return {
        "conversation": conversation,
        "chat_messages": [
            {"speaker": _speaker(m, for_staff=False), "message": m}
            for m in transcript_messages(conversation, up_to=up_to)
        ],
        "transcript": transcript_text(conversation, up_to=up_to),
    }


KINDS = [
    notifications.NotificationKind(
        name=TRANSCRIPT_EMAIL,
        label=gettext_lazy("Chat transcripts you ask for"),
        subject=gettext_lazy("[Beacon] Your chat transcript"),
        template="livechat/email/transcript",
        build_context=_email_context,
        # Sent only when asked for, so never muted.
        essential=True,
    )
]
