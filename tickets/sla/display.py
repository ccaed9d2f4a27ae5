"""How a ticket's SLA clock reads to people: on track, at risk, breached, or paused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.models import SlaEscalation, Ticket

TARGET_LABELS = dict(SlaEscalation.Target.choices)
STATE_LABELS = {
    "on_track": gettext_lazy("On track"),
    "at_risk": gettext_lazy("At risk"),
    "breached": gettext_lazy("Breached"),
    "paused": gettext_lazy("Paused"),
}


@dataclass(frozen=True)
class SlaStatus:
    state: str  # on_track, at_risk, breached, paused
    target: str | Promise  # e.g. "First response"
    due_at: dt.datetime | None
    text: str  # "2 h 5 min left", "breached 12 min ago", "waiting on the customer"

    @property
    def label(self) -> str | Promise:
        return STATE_LABELS[self.state]


def duration_text(delta: dt.timedelta) -> str:
    """A short, rounded span: "45 min", "3 h 20 min", "2 d 4 h"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


def sla_status(ticket: Ticket, now: dt.datetime) -> SlaStatus | None:
    """The soonest running clock as people read it; None when no clock applies."""
    if ticket.sla_due_at is None:
        if ticket.sla_paused_at is not None and ticket.is_open and ticket.sla_policy_id:
            return SlaStatus(
                "paused", TARGET_LABELS["resolution"], None, _("waiting on the customer")
            )
        return None
    target = TARGET_LABELS.get(ticket.sla_target, ticket.sla_target)
    if now >= ticket.sla_due_at:
        ago = duration_text(now - ticket.sla_due_at)
        return SlaStatus(
            "breached", target, ticket.sla_due_at, _("breached %(t)s ago") % {"t": ago}
        )
    left = _("%(t)s left") % {"t": duration_text(ticket.sla_due_at - now)}
    at_risk = ticket.sla_warn_at is not None and now >= ticket.sla_warn_at
    return SlaStatus("at_risk" if at_risk else "on_track", target, ticket.sla_due_at, left)
