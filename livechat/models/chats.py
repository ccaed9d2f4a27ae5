"""Conversations and their messages; a message is a row before anyone hears of it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    """One chat: the bot first, then (maybe) the queue, an agent, the end."""

    class Status(models.TextChoices):
        BOT = "bot", _("With the bot")
        QUEUED = "queued", _("Waiting for an agent")
        ACTIVE = "active", _("With an agent")
        ENDED = "ended", _("Ended")

    class Skill(models.TextChoices):
        GENERAL = "general", _("General")
        SECURITY = "security", _("Account security")
        KYC = "kyc", _("Identity verification")
        TRADING = "trading", _("Trading")

    # In URLs and frames; ids are never shown, so conversations cannot be counted or guessed.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_conversations",
    )
    # An anonymous visitor: SHA-256 of their session key, so only that browser gets in.
    visitor_key = models.CharField(max_length=64, blank=True, db_index=True)
    visitor_email = models.EmailField(_("email for the transcript"), blank=True)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.BOT)
    skill = models.CharField(max_length=10, choices=Skill.choices, default=Skill.GENERAL)
    # Higher first in the queue (a security emergency jumps it); then the longest waiting.
    priority = models.SmallIntegerField(default=0)
    tags = models.JSONField(default=list, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chats_served",
    )
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # When a socket of the customer's last said it was open (each beats while open): an
    # anonymous visitor who closed the tab is not left waiting in the queue for good.
    customer_seen_at = models.DateTimeField(null=True, blank=True)
    # The last message number given out, and how far each side has read.
    last_seq = models.PositiveIntegerField(default=0)
    customer_read_seq = models.PositiveIntegerField(default=0)
    agent_read_seq = models.PositiveIntegerField(default=0)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.TextField(blank=True, max_length=2000)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="chats"
    )

    class Meta:
        indexes = [
            models.Index(
                "priority",
                "queued_at",
                name="chat_queue",
                condition=models.Q(status="queued"),
            ),
            models.Index(fields=["agent", "status"], name="chat_agent_load"),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"chat {self.public_id} ({self.status})"


class ChatMessage(models.Model):
    class Sender(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        BOT = "bot", _("Bot")
        AGENT = "agent", _("Agent")
        SYSTEM = "system", _("System")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal note")  # agents only

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    # 1, 2, 3 … per conversation: clients resume "after" the last one they saw.
    seq = models.PositiveIntegerField()
    sender = models.CharField(max_length=8, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # As stored and shown: a seed phrase, key or password is already masked here.
    body = models.TextField(max_length=4000)
    masked = models.JSONField(default=list, blank=True)  # what was masked: ["seed_phrase", …]
    # Structured extras: the bot's answers (articles), a freeze offer, a queue notice.
    data = models.JSONField(default=dict, blank=True)
    # The sender's own id for the message: a retry with the same id is the same message.
    client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_message_seq"),
            models.UniqueConstraint(
                fields=["conversation", "client_id"],
                condition=~models.Q(client_id=""),
                name="chat_message_client_id",
            ),
        ]
        ordering = ["conversation", "seq"]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq} {self.sender}"
