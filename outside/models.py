"""People who write from outside platforms, their chats, what came in and what goes out.

Nothing here changes a live-chat model: a conversation knows its platform through
ExternalConversation, and its sender's trust through ExternalContact.user (set only by a
one-time code the signed-in customer made, never by anything typed on the platform).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class Platform(models.TextChoices):
    TELEGRAM = "telegram", "Telegram"
    X = "x", "X"
    DISCORD = "discord", "Discord"


class ExternalContact(BaseModel):
    """Someone on a platform, as that platform names them; a Beacon account once linked."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    external_id = models.CharField(max_length=64)
    handle = models.CharField(max_length=100, blank=True)
    # Where replies go on the platform (Telegram's chat id, Discord's DM channel); the
    # user id itself when empty.
    reply_to = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=8, default="en")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="external_contacts",
    )
    linked_at = models.DateTimeField(null=True, blank=True)
    # Their last message: they count as present in their chat for a while after it.
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="outside_contact_platform_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.handle or self.external_id}"

    @property
    def target(self) -> str:
        return self.reply_to or self.external_id


class ExternalConversation(BaseModel):
    """A live-chat conversation that a platform contact takes part in."""

    conversation = models.ForeignKey(
        "livechat.Conversation", on_delete=models.CASCADE, related_name="external_links"
    )
    contact = models.ForeignKey(
        ExternalContact, on_delete=models.CASCADE, related_name="conversations"
    )
    # Set when the contact linked their account while this (anonymous) chat was still with
    # the bot: their next message starts a chat as their account. Replies to this one are
    # still delivered.
    detached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "contact"], name="outside_conversation_contact"
            ),
        ]


class InboundEvent(BaseModel):
    """One platform update, stored once: a replayed update id finds this row and is ignored."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    event_id = models.CharField(max_length=100)
    contact = models.ForeignKey(
        ExternalContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "event_id"], name="outside_inbound_once"),
        ]


class OutboundMessage(BaseModel):
    """A reply to a platform: written in the transaction that causes it, sent by a task,
    retried by the sweep (outside.tasks). `idempotency_key` makes a second write of the
    same reply a no-op; the claim (SENDING under a lease) keeps two workers from posting it
    twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    contact = models.ForeignKey(ExternalContact, on_delete=models.CASCADE, related_name="outbox")
    conversation = models.ForeignKey(
        "livechat.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)
    text = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)
    platform_message_id = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                "next_try",
                name="outside_outbox_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
        ]


class LinkCode(BaseModel):
    """A one-time code a signed-in customer makes to link a platform account: only its
    hash is stored; it expires soon and works once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_link_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        ExternalContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
