"""`{% sla_badge ticket %}`: the SLA state in words and colour (never colour alone)."""

from __future__ import annotations

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.translation import gettext

from tickets.models import Ticket
from tickets.sla.display import duration_text, sla_status
from tickets.sla.service import reply_due

register = template.Library()


@register.simple_tag
def sla_badge(ticket: Ticket) -> str:
    """Built in Python, not from a template: a queue page shows fifty of them."""
    status = sla_status(ticket, timezone.now())
    if status is None:
        return ""
    title = ""
    if status.due_at is not None:
        due = dateformat.format(timezone.localtime(status.due_at), "Y-m-d H:i T")
        title = format_html(' title="{} {}"', gettext("Due"), due)
    return format_html(
        '<span class="sla sla-{}"{}><span class="sla-state">{}</span> · {}</span>',
        status.state,
        title,
        status.label,
        gettext("%(label)s: %(value)s") % {"label": status.target, "value": status.text},
    )


@register.simple_tag
def reply_aim(ticket: Ticket):
    """The moment we aim to reply by, for the customer's page; None when none applies."""
    return reply_due(ticket)


@register.filter
def duration(value):
    """A timedelta as "3 h 20 min" (rounded down to the minute)."""
    return duration_text(value)
