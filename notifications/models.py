"""The notification outbox: one row per message to one person on one channel.

A row is written in the transaction of the change that causes it, so a rollback leaves
none; Celery sends it after commit, and a periodic sweep re-queues rows whose task was
lost. For the in-console bell the same row is the inbox item (`read_at`).

The tables kept the names they had when these models lived in accounts (`db_table`), so
moving the models moved no data (migrations/0001_initial.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class Notification(BaseModel):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        BELL = "bell", _("In-console bell")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # For someone without an account (or to override the account's address).
    to_email = models.EmailField(blank=True)
    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    # Ids and plain values only: the kind's context builder loads the objects at send time.
    context = models.JSONField(default=dict, blank=True)
    # The caller's event key plus channel and recipient (see notifications.notify).
    dedupe_key = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the sweep should look at the row again if no task has dealt with it: creation
    # time, then the end of a worker's lease, then the next retry after a failure.
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Why the last attempt failed, or why the row was skipped.
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_notification"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_dedupe_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(to_email=""),
                name="notification_has_an_addressee",
            ),
            models.CheckConstraint(
                condition=~Q(channel="bell") | Q(recipient__isnull=False),
                name="notification_bell_needs_a_user",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["email", "bell"]), name="notification_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "skipped"]),
                name="notification_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notification_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False),
                name="notification_sending_is_claimed",
            ),
        ]
        indexes = [
            # The sweep: rows still to send whose time has come (one range scan).
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="notification_due_idx",
            ),
            # The bell: a user's unread items, newest first.
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(channel="bell", status="sent", read_at__isnull=True),
                name="notification_bell_unread_idx",
            ),
            # The bell: a user's recent items, read or not.
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(channel="bell", status="sent"),
                name="notification_bell_recent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id or self.to_email} ({self.channel}, {self.status})"


class NotificationPreference(BaseModel):
    """A person's choice for one non-essential kind; no row means the kind's defaults."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64)
    email = models.BooleanField()
    bell = models.BooleanField()

    class Meta:
        db_table = "accounts_notificationpreference"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="notification_preference_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: email={self.email} bell={self.bell}"


class BouncingAddress(BaseModel):
    """An address whose mail came back as undeliverable for good (a 5.x.x bounce).

    The outbox sends it nothing while the row exists; mail *from* the address proves the
    mailbox works again and removes the row.
    """

    email = models.CharField(max_length=254, unique=True)  # lower case
    bounces = models.PositiveIntegerField(default=1)
    last_bounced_at = models.DateTimeField()
    reason = models.TextField(blank=True)  # the last diagnostic, e.g. "550 5.1.1 user unknown"

    class Meta:
        db_table = "accounts_bouncingaddress"

    def __str__(self) -> str:
        return f"{self.email} ({self.bounces})"
