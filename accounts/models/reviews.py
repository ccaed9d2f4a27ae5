"""Requests the security reviewers decide: unfreeze appeals (four eyes) and 2FA resets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models.identity import IdentityDocument
from accounts.models.security import AccountFreeze


class UnfreezeAppeal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unfreeze_appeals"
    )
    freeze = models.ForeignKey(AccountFreeze, on_delete=models.CASCADE, related_name="appeals")
    legal_name = models.CharField(_("legal name"), max_length=200)
    birth_date = models.DateField(_("date of birth"))
    description = models.TextField(_("what happened"), max_length=5000)
    selfie = models.ForeignKey(IdentityDocument, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="unfreeze_appeal_one_pending",
            )
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"appeal {self.id} of {self.user_id} ({self.status})"


class AppealReview(models.Model):
    """One reviewer's decision; an approval needs two from different reviewers."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    appeal = models.ForeignKey(UnfreezeAppeal, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=8, choices=Decision.choices)
    reason = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appeal", "reviewer"], name="appeal_review_once_each")
        ]

    def __str__(self) -> str:
        return f"{self.decision} of appeal {self.appeal_id} by {self.reviewer_id}"


class MfaResetRequest(models.Model):
    """Lost the 2FA device: reviewed against the KYC record, then a cool-down, then removal."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Under review")
        APPROVED = "approved", _("Approved, waiting for the cool-down")
        COMPLETED = "completed", _("Two-factor removed")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mfa_reset_requests"
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    birth_date = models.DateField(_("date of birth"))
    description = models.TextField(_("what happened to the device"), max_length=5000)
    selfie = models.ForeignKey(IdentityDocument, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    # The earliest moment the authenticators may be removed (set when the request is made).
    cooldown_ends_at = models.DateTimeField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, max_length=2000)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="mfa_reset_one_open",
            )
        ]
        indexes = [models.Index(fields=["status", "cooldown_ends_at"], name="mfa_reset_due")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"2FA reset {self.id} of {self.user_id} ({self.status})"
