"""Reads for other apps: which platform user a chat is with (the agent console shows it)."""

from __future__ import annotations

from dataclasses import dataclass

from outside.models import ExternalConversation


@dataclass(frozen=True)
class ExternalParty:
    """What an agent needs to know of a chat's platform user."""

    platform: str  # "telegram", "x", "discord"
    platform_label: str  # "Telegram", "X", "Discord"
    handle: str  # "@name" (or the platform's user id when it gives no name)
    external_id: str
    linked_user: object | None  # the Beacon account the user linked by a one-time code
    linked_at: object | None
    # The chat began before the link: its messages are an anonymous visitor's.
    started_unproven: bool


def _party(link: ExternalConversation) -> ExternalParty:
    contact = link.contact
    return ExternalParty(
        platform=contact.platform,
        platform_label=contact.get_platform_display(),
        handle=contact.handle or contact.external_id,
        external_id=contact.external_id,
        linked_user=contact.user,
        linked_at=contact.linked_at,
        started_unproven=link.conversation.customer_id is None,
    )


def external_contact_for(conversation) -> ExternalParty | None:
    """The platform user of this chat, or None for a web chat."""
    link = (
        ExternalConversation.objects.select_related("contact__user", "conversation")
        .filter(conversation_id=conversation.pk)
        .order_by("-created_at")
        .first()
    )
    return _party(link) if link is not None else None


def external_contacts_for(conversation_ids) -> dict[int, ExternalParty]:
    """The same for a list of chats in one query: {conversation id: party}."""
    links = (
        ExternalConversation.objects.select_related("contact__user", "conversation")
        .filter(conversation_id__in=list(conversation_ids))
        .order_by("created_at")
    )
    return {link.conversation_id: _party(link) for link in links}


def linked_contacts_for(*, user):
    """The platform accounts a customer has linked (their Linked channels page)."""
    return user.external_contacts.order_by("platform", "handle")
