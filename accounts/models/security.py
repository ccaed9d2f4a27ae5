"""The security desk's records: the audit trail, known devices, freezes and one-time links."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecurityEvent(models.Model):
    """One line of a person's security audit trail; they see their own, reviewers see all."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in attempt")
        SIGN_OUT = "sign_out", _("Signed out")
        SESSIONS_ENDED = "sessions_ended", _("Other sessions signed out")
        NEW_DEVICE = "new_device", _("Sign-in from a new device or network")
        MFA_ADDED = "mfa_added", _("Two-factor method added")
        MFA_REMOVED = "mfa_removed", _("Two-factor method removed")
        MFA_FAILED = "mfa_failed", _("Wrong two-factor code")
        MFA_LOCKED = "mfa_locked", _("Two-factor locked after repeated failures")
        RECOVERY_CODES = "recovery_codes", _("Recovery codes generated")
        MFA_RESET_REQUESTED = "mfa_reset_requested", _("Two-factor reset requested")
        MFA_RESET_CANCELLED = "mfa_reset_cancelled", _("Two-factor reset cancelled")
        MFA_RESET_APPROVED = "mfa_reset_approved", _("Two-factor reset approved")
        MFA_RESET_REJECTED = "mfa_reset_rejected", _("Two-factor reset rejected")
        MFA_RESET_DONE = "mfa_reset_done", _("Two-factor removed after a reset")
        CODE_SET = "code_set", _("Anti-phishing code set")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset")
        EMAIL_CHANGED = "email_changed", _("Email address changed")
        PHONE_CHANGED = "phone_changed", _("Phone number changed")
        FROZEN = "frozen", _("Account frozen")
        UNFROZEN = "unfrozen", _("Account unfrozen")
        APPEAL_SUBMITTED = "appeal_submitted", _("Unfreeze appeal submitted")
        APPEAL_REVIEWED = "appeal_reviewed", _("Unfreeze appeal reviewed")
        APPEAL_APPROVED = "appeal_approved", _("Unfreeze appeal approved")
        APPEAL_REJECTED = "appeal_rejected", _("Unfreeze appeal rejected")
        KYC_SUBMITTED = "kyc_submitted", _("Identity verification submitted")
        KYC_APPROVED = "kyc_approved", _("Identity verification approved")
        KYC_REJECTED = "kyc_rejected", _("Identity verification rejected")
        DOCUMENT_VIEWED = "document_viewed", _("Identity document viewed by a reviewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_events"
    )
    # Who did it when it was not the person themselves (an agent, a reviewer); null for them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="security_event_user_recent")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class KnownDevice(models.Model):
    """A browser (by its device cookie) and network a person has signed in from before."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_devices"
    )
    # SHA-256 of the random device cookie: a database leak does not hand out cookies.
    device_hash = models.CharField(max_length=64)
    network = models.CharField(max_length=64)  # "203.0.113.0/24" or "2001:db8:1::/48"
    user_agent = models.CharField(max_length=300, blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "device_hash", "network"], name="known_device_unique"
            )
        ]

    def __str__(self) -> str:
        return f"device of {self.user_id} on {self.network}"


class AccountFreeze(models.Model):
    """An emergency freeze: while one is active (not lifted) the account cannot be used."""

    class Source(models.TextChoices):
        SECURITY_PAGE = "security_page", _("Security page")
        ALERT_LINK = "alert_link", _("“This wasn't me” link")
        CHAT_BOT = "chat_bot", _("Chat bot")
        AGENT = "agent", _("Agent, after verifying the customer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="freezes"
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    # The person who froze it: the customer, or the agent on the customer's behalf.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(max_length=2000)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(lifted_at__isnull=True),
                name="account_freeze_one_active",
            )
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"freeze of {self.user_id} ({self.source})"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class OneTimeLink(models.Model):
    """A link sent by email that works once, for a short while, without signing in.

    The URL carries this row's id signed with the secret key (accounts.links), made when
    the email is rendered: no token is stored, in this table or in the outbox.
    """

    class Purpose(models.TextChoices):
        NOT_ME = "not_me", _("This wasn't me: freeze the account")
        APPEAL = "appeal", _("Appeal a freeze")
        MFA_RESET_CANCEL = "mfa_reset_cancel", _("Cancel a two-factor reset")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_time_links"
    )
    purpose = models.CharField(max_length=24, choices=Purpose.choices)
    # What the link is about (the sign-in it reports, the reset it cancels).
    subject_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} link {self.id} of {self.user_id}"
