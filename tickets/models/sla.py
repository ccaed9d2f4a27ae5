"""SLA policies, the clock fields every ticket carries, and the escalations already taken."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class SlaPolicy(BaseModel):
    """Targets in business minutes for tickets of a type and priority.

    A ticket takes the most specific active policy: its type and priority, then its type
    at any priority, then any type at its priority, then the catch-all (both empty).
    """

    name = models.CharField(max_length=120)
    ticket_type = models.ForeignKey(
        "tickets.TicketType",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
        help_text=_("Empty: any type."),
    )
    # Ticket.Priority's values; spelled out here because Ticket is built on this module.
    priority = models.CharField(
        max_length=8,
        blank=True,
        choices=[
            ("low", _("Low")),
            ("normal", _("Normal")),
            ("high", _("High")),
            ("urgent", _("Urgent")),
        ],
        help_text=_("Empty: any priority."),
    )
    first_response_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Business minutes until the first public reply.")
    )
    next_response_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Business minutes to answer each later customer message."),
    )
    resolution_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Business minutes until solved, not counting time waiting on the customer."),
    )
    warn_at_percent = models.PositiveSmallIntegerField(
        default=75, help_text=_("Warn the assignee once this share of a target has passed.")
    )
    raise_priority_on_breach = models.BooleanField(default=True)
    move_to_team_on_breach = models.ForeignKey(
        "tickets.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("If set, a breached ticket moves to this team."),
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["ticket_type__position", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket_type", "priority"],
                nulls_distinct=False,
                name="sla_policy_one_per_type_and_priority",
            ),
            models.CheckConstraint(
                condition=models.Q(warn_at_percent__gte=1, warn_at_percent__lte=99),
                name="sla_policy_warn_1_to_99",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TicketSlaFields(models.Model):
    """The clock state stored on every ticket, so what is due next is one indexed query."""

    sla_policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_responded_at = models.DateTimeField(null=True, blank=True)
    # The customer's oldest message no agent has answered yet (after the first response).
    awaiting_reply_since = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    sla_paused = models.DurationField(default=dt.timedelta(0))
    # Of the running clocks: the soonest due time and its warning moment (lists show them).
    sla_target = models.CharField(max_length=16, blank=True)
    sla_warn_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    # When the sweep must next look at this ticket: the earliest step not yet taken.
    sla_next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class SlaEscalation(models.Model):
    """A warning or breach step taken for one ticket and target; the unique key makes each
    happen once, however many sweeps run. Also what the compliance reports count."""

    class Step(models.TextChoices):
        WARNING = "warning", _("At risk")
        BREACH = "breach", _("Breached")

    class Target(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        NEXT_RESPONSE = "next_response", _("Next response")
        RESOLUTION = "resolution", _("Resolution")

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_escalations"
    )
    target = models.CharField(max_length=16, choices=Target.choices)
    step = models.CharField(max_length=8, choices=Step.choices)
    cycle = models.CharField(max_length=40, blank=True)  # which next-response wait
    due_at = models.DateTimeField()
    happened_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target", "step", "cycle"], name="sla_escalation_once"
            )
        ]
        indexes = [models.Index(fields=["step", "happened_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} {self.step}"
