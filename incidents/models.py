"""An incident, its updates, and what it is linked to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Incident(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RESOLVED = "resolved", _("Resolved")

    class Feature(models.TextChoices):
        DEPOSIT = "deposit", _("Deposits")
        WITHDRAWAL = "withdrawal", _("Withdrawals")
        TRADING = "trading", _("Trading")
        LOGIN = "login", _("Sign-in")
        KYC = "kyc", _("Identity verification")
        P2P = "p2p", _("P2P")
        EARN = "earn", _("Earn")

    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200)
    # What customers are told: the current status, in each language (plain text).
    status_en = models.TextField(_("status (English)"), max_length=2000)
    status_zh_hans = models.TextField(_("status (Chinese)"), max_length=2000)
    coins = models.JSONField(default=list, blank=True)  # ["USDT"]
    networks = models.JSONField(default=list, blank=True)  # ["TRC20"]
    features = models.JSONField(default=list, blank=True)  # Feature values
    keywords = models.JSONField(default=list, blank=True)  # words in either language
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The announcement (and maintenance banner) declared with it; ended on resolve.
    announcement = models.ForeignKey(
        "helpcenter.Announcement", null=True, blank=True, on_delete=models.SET_NULL
    )
    # Bumped by each update: a link has heard every update up to its `heard`.
    last_update = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-declared_at"]
        indexes = [models.Index(fields=["status"], name="incident_status")]

    def __str__(self) -> str:
        return self.title_en

    def title(self, lang: str) -> str:
        return self.title_zh_hans if lang.startswith("zh") else self.title_en

    def status_text(self, lang: str) -> str:
        return self.status_zh_hans if lang.startswith("zh") else self.status_en


class IncidentUpdate(models.Model):
    """One message to every linked customer (number = incident.last_update when made)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    number = models.PositiveIntegerField()
    body_en = models.TextField(max_length=4000)
    body_zh_hans = models.TextField(max_length=4000)
    resolves = models.BooleanField(default=False)  # the last one: linked tickets are solved
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "number"], name="incident_update_number")
        ]
        ordering = ["incident", "number"]

    def __str__(self) -> str:
        return f"{self.incident_id} #{self.number}"

    def body(self, lang: str) -> str:
        return self.body_zh_hans if lang.startswith("zh") else self.body_en


class IncidentLink(models.Model):
    """A ticket or a chat about the incident. Certain matches are linked at once; the
    uncertain ones wait for a person (`review`)."""

    class State(models.TextChoices):
        LINKED = "linked", _("Linked")
        REVIEW = "review", _("Needs review")
        REJECTED = "rejected", _("Not about it")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    conversation = models.ForeignKey(
        "livechat.Conversation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=8, choices=State.choices)
    why = models.CharField(max_length=200, blank=True)  # which signals matched
    # The last update this customer was sent (0: none yet); a rerun sends only what is new.
    heard = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "ticket"],
                condition=models.Q(ticket__isnull=False),
                name="incident_link_ticket",
            ),
            models.UniqueConstraint(
                fields=["incident", "conversation"],
                condition=models.Q(conversation__isnull=False),
                name="incident_link_chat",
            ),
            models.CheckConstraint(
                condition=models.Q(ticket__isnull=True) ^ models.Q(conversation__isnull=True),
                name="incident_link_one_thing",
            ),
        ]
        indexes = [models.Index(fields=["incident", "state"], name="incident_link_state")]

    def __str__(self) -> str:
        return f"{self.incident_id} -> {self.ticket_id or self.conversation_id} ({self.state})"
