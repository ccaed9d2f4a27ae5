"""The console's view of inbound email: what arrived, what became of it, the original.

Agents open an email from the ticket it belongs to (if they may work that ticket);
supervisors also see the mail that opened nothing (bounces, automatic replies, bulk,
rate-limited) on the list.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from tickets.mail.parsing import parse_message
from tickets.models import InboundEmail
from tickets.permissions import TicketPolicy, is_supervisor
from tickets.views.console import staff_only

LIST_LIMIT = 200


def _email_for(request: HttpRequest, email_id: int) -> InboundEmail:
    email = get_object_or_404(InboundEmail.objects.select_related("ticket"), id=email_id)
    if is_supervisor(request.user):
        return email
    if email.ticket is None or not TicketPolicy.can_work(request.user, email.ticket):
        raise PermissionDenied
    return email


@require_GET
@staff_only
def email_list(request: HttpRequest) -> HttpResponse:
    if not is_supervisor(request.user):
        raise PermissionDenied
    outcome = request.GET.get("outcome", "")
    emails = InboundEmail.objects.select_related("ticket").defer("raw_compressed", "text", "html")
    if outcome in InboundEmail.Outcome.values:
        emails = emails.filter(outcome=outcome)
    return render(
        request,
        "tickets/console/email_list.html",
        {
            "emails": emails[:LIST_LIMIT],
            "outcome": outcome,
            "outcomes": InboundEmail.Outcome.choices,
            "limit": LIST_LIMIT,
        },
    )


@require_GET
@staff_only
def email_detail(request: HttpRequest, email_id: int) -> HttpResponse:
    email = _email_for(request, email_id)
    try:
        headers = parse_message(email.raw).headers
    except Exception:  # the record page still shows what was kept
        headers = ()
    shown = {
        "from",
        "to",
        "cc",
        "subject",
        "date",
        "message-id",
        "in-reply-to",
        "references",
        "reply-to",
        "auto-submitted",
        "precedence",
        "authentication-results",
    }
    return render(
        request,
        "tickets/console/email.html",
        {
            "email": email,
            "headers": [(name, value) for name, value in headers if name.lower() in shown],
            "attachments": email.ticket_message.attachments.all() if email.ticket_message else [],
        },
    )


@require_GET
@staff_only
def email_raw(request: HttpRequest, email_id: int) -> HttpResponse:
    """The message exactly as received, as a download (never rendered by the browser).

    One holding a secret (a seed phrase…) is the only unmasked copy: supervisors only.
    """
    email = _email_for(request, email_id)
    if email.masked and not is_supervisor(request.user):
        raise PermissionDenied
    response = HttpResponse(email.raw, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="email-{email.id}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
