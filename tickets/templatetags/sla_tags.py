"""`{% sla_badge ticket %}`: the SLA state in words and colour (never colour alone)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from tickets.models import Ticket
from tickets.sla.display import duration_text, sla_status
from tickets.sla.service import reply_due

register = template.Library()


@register.inclusion_tag("tickets/_sla_badge.html")
def sla_badge(ticket: Ticket) -> dict[str, object]:
    return {"status": sla_status(ticket, timezone.now())}


@register.simple_tag
def reply_aim(ticket: Ticket):
    """The moment we aim to reply by, for the customer's page; None when none applies."""
    return reply_due(ticket)


@register.filter
def duration(value):
    """A timedelta as "3 h 20 min" (rounded down to the minute)."""
    return duration_text(value)
