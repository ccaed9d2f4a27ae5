"""Every email that reached the support address, kept once, with what became of it."""

from __future__ import annotations

import zlib

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from tickets.models.tickets import Ticket, TicketMessage


class InboundEmail(BaseModel):
    """One received message: the raw bytes (compressed, for audit) and the outcome.

    `dedupe_key` makes ingestion exactly-once: the SHA-256 of the Message-ID together
    with the content as sent (the address and subject headers and the body bytes; see
    tickets.mail.intake._dedupe_key), or of the raw bytes when the message has none;
    two different messages sharing a Message-ID are both kept. The row is written first in the ingesting
    transaction, so a second copy (or a retry after a crash) waits on the unique index
    and then finds the first.
    """

    class Source(models.TextChoices):
        IMAP = "imap", _("IMAP mailbox")
        HTTP = "http", _("Inbound webhook")
        PIPE = "pipe", _("Mail server pipe")

    class Outcome(models.TextChoices):
        NEW_TICKET = "ticket", _("Opened a ticket")
        REPLY = "reply", _("Added to its ticket")
        FOLLOW_UP = "follow_up", _("Opened a follow-up to a closed ticket")
        NOTE = "note", _("Internal note (not from the requester)")
        BOUNCE = "bounce", _("Bounce")
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        BULK = "bulk", _("Bulk or list mail")
        LOOP = "loop", _("Beacon's own mail")
        RATE_LIMITED = "rate_limited", _("Too many from this sender")
        UNPARSEABLE = "unparseable", _("Could not be read")

    dedupe_key = models.CharField(max_length=64, unique=True)
    message_id = models.TextField(blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    sender = models.CharField(max_length=254, blank=True)  # lower case; "" when unknown
    sender_verified = models.BooleanField(default=False)
    subject = models.CharField(max_length=300, blank=True)
    raw_compressed = models.BinaryField()
    raw_size = models.PositiveIntegerField()
    # The whole readable text, before quotes and signatures were trimmed for the ticket.
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)  # sanitised on the way in
    defects = models.JSONField(default=list, blank=True)
    # Kinds of secret found and masked in subject and text ("seed_phrase", ...); the HTML
    # of such a message is not kept, and only supervisors may download the raw bytes.
    masked = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    detail = models.TextField(blank=True)  # why, in words an agent understands
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    ticket_message = models.OneToOneField(
        TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="email"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The per-sender rate limit counts one sender's mail in the last hour.
            models.Index(
                fields=["sender", "created_at"],
                condition=~Q(sender=""),
                name="inbound_email_sender_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender or '?'}: {self.subject[:60]} ({self.outcome})"

    @staticmethod
    def compress(raw: bytes) -> bytes:
        return zlib.compress(raw, 6)

    @property
    def raw(self) -> bytes:
        return zlib.decompress(bytes(self.raw_compressed))
