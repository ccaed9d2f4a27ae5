"""The effect outbox: a consequence of an account change that another app carries out.

Written in the transaction of the change (a freeze, a KYC submission or decision, an
appeal), so the change and the promise of its consequence commit together; marked done
in the transaction of the receivers' own rows (the security ticket). See accounts/effects.py.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from core.models import BaseModel


class AccountEffect(BaseModel):
    class Status(models.TextChoices):
        # A context of their own: the outbox's "Pending" means "not sent yet".
        PENDING = "pending", pgettext_lazy("account effect", "Pending")
        DONE = "done", pgettext_lazy("account effect", "Done")
        # What the signal was about no longer exists (a deleted account): nothing to do.
        DROPPED = "dropped", pgettext_lazy("account effect", "Dropped")

    # A name in accounts.signals.DURABLE.
    signal = models.CharField(max_length=40)
    # What it is about ("freeze:12", "kyc:7"): effects with one key run in id order.
    key = models.CharField(max_length=80)
    # The signal's keyword arguments: {"values": {...plain JSON}, "objects": {name:
    # [model label, pk]}}; the objects are loaded again when the signal is sent.
    arguments = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the sweep may take the row: a minute after it was recorded (the task comes
    # first), then after each failure a later time (backoff).
    next_attempt_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="accounteffect_pending_due",
            ),
            models.Index(
                fields=["key", "id"],
                condition=Q(status="pending"),
                name="accounteffect_pending_key",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "done", "dropped"]),
                name="accounteffect_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", finished_at__isnull=True)
                | (~Q(status="pending") & Q(finished_at__isnull=False)),
                name="accounteffect_finished_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signal} {self.key} ({self.status})"
