"""Customer emails about their tickets, in their language, HTML and plain text.

Sent after commit. The SLA/notification issue replaces this with an outbox (a row per
notification, sent and retried by Celery); until then a failed send is logged.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tickets.models import Ticket, TicketMessage

logger = logging.getLogger(__name__)


def _send(ticket: Ticket, template: str, subject: str, context: dict) -> None:
    with translation.override(ticket.language):
        context = {
            "ticket": ticket,
            "site_url": settings.SITE_URL,
            "ticket_url": settings.SITE_URL + reverse("tickets:detail", args=[ticket.number]),
            **context,
        }
        text = render_to_string(f"tickets/email/{template}.txt", context)
        html = render_to_string(f"tickets/email/{template}.html", context)
        mail = EmailMultiAlternatives(
            str(subject) % {"number": ticket.number}, text, to=[ticket.requester.email]
        )
    mail.attach_alternative(html, "text/html")
    try:
        mail.send()
    except Exception:  # the request is saved; the outbox (next issue) will retry
        logger.exception("could not send %s for ticket %s", template, ticket.number)


def ticket_received(ticket_id: int) -> None:
    from django.utils.translation import gettext_lazy as _

    ticket = Ticket.objects.select_related("requester", "type").get(id=ticket_id)
    _send(ticket, "ticket_received", _("[Beacon] We received your request %(number)s"), {})


def agent_replied(message_id: int) -> None:
    from django.utils.translation import gettext_lazy as _

    message = TicketMessage.objects.select_related("ticket__requester").get(id=message_id)
    _send(
        message.ticket,
        "agent_replied",
        _("[Beacon] New reply to your request %(number)s"),
        {"message": message},
    )
