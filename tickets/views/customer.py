"""Customer pages of tickets: each view fetches through a selector, writes through one service.

Who may see or change what is decided by `ticket_get_for_user` (404 for missing and for
not yours) and by the services; views only parse input and show the outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from helpcenter import selectors as helpcenter_selectors
from tickets import fields, form_notices, rating_links, selectors, services, workflow
from tickets.forms import (
    ComplaintForm,
    RateForm,
    ReplyForm,
    RequestFilterForm,
    StatusForm,
    TicketRequestForm,
)
from tickets.models import Ticket, TicketAttachment, TicketType

T = TypeVar("T")
PAGE_SIZE = 20  # about two phone screens of requests; older ones are a page away
SUGGESTIONS = 3  # enough to catch the common answers without pushing the form down
# What a type change keeps from the half-filled form (files cannot be kept by a browser).
KEPT_ON_TYPE_CHANGE = {"type", "subject", "body", *fields.FIELD_SPECS}
DONE = [Ticket.Status.SOLVED, Ticket.Status.CLOSED]


def _lang() -> str:
    return translation.get_language() or "en"


def _attempt(form: forms.Form, action: Callable[[], T]) -> T | None:
    """Run `action` (one service call) if `form` is valid; a refusal becomes a form error.

    The message goes beside the field the service names in `extra["field"]`, else above the form.
    """
    if not form.is_valid():
        return None
    try:
        return action()
    except ApplicationError as exc:
        field = exc.extra.get("field")
        form.add_error(field if field in form.fields else None, exc.message)
        return None


def _detail_url(ticket: Ticket, anchor: str = "") -> str:
    url = reverse("tickets:detail", args=[ticket.number])
    return f"{url}#{anchor}" if anchor else url


# ------------------------------------------------------------------------- my requests


def _my_requests(tickets: QuerySet[Ticket], user, form: RequestFilterForm) -> QuerySet[Ticket]:
    """The list's filters; invalid filter input is simply left out.

    Only tickets `user` requested: for staff the selector also returns tickets they work on.
    """
    form.is_valid()
    status, query = form.cleaned_data.get("status"), form.cleaned_data.get("q")
    tickets = tickets.filter(requester=user).order_by("-created_at", "-id")
    if status == form.OPEN:
        tickets = tickets.exclude(status__in=DONE)
    elif status == form.DONE:
        tickets = tickets.filter(status__in=DONE)
    if query:
        tickets = tickets.filter(Q(number__icontains=query) | Q(subject__icontains=query))
    return tickets


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    form = RequestFilterForm(request.GET)
    tickets = _my_requests(selectors.ticket_list_for_user(user=request.user), request.user, form)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "filtered": bool(query)}
    return render(request, "tickets/customer/request_list.html", context)


# ------------------------------------------------------------------------- new request


def _request_form(request: HttpRequest) -> TicketRequestForm:
    """Bound to a submission; unbound for a type change (GET ?type= or the no-JS Continue),
    keeping what was typed as initial values so nothing is lost and no errors show yet."""
    options = {"types": list(selectors.ticket_types_for_customers()), "lang": _lang()}
    if request.method == "POST" and "continue" not in request.POST:
        return TicketRequestForm(request.POST, request.FILES, **options)
    source = request.POST if request.method == "POST" else request.GET
    kept = {name: value for name, value in source.items() if name in KEPT_ON_TYPE_CHANGE}
    return TicketRequestForm(initial={"uid": request.user.uid, **kept}, **options)


def _open_duplicate(user, form: TicketRequestForm) -> Ticket | None:
    if form.cleaned_data["confirm_duplicate"]:
        return None
    values = form.field_values()
    return selectors.open_duplicate(
        user=user,
        ticket_type=form.ticket_type,
        txid=values.get("txid", ""),
        order_id=values.get("order_id", ""),
    )


def _create(request: HttpRequest, form: TicketRequestForm) -> Ticket:
    data = form.cleaned_data
    return services.ticket_create(
        requester=request.user,
        ticket_type=form.ticket_type,
        subject=data["subject"],
        body=data["body"],
        field_values=form.field_values(),
        files=data["files"],
        language=_lang(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """Ask for what the chosen type needs; an open request about the same TXID or order
    is pointed out instead of creating a second one, unless the customer insists."""
    form, duplicate = _request_form(request), None
    if form.is_bound and form.is_valid():
        duplicate = _open_duplicate(request.user, form)
    if form.is_bound and duplicate is None:
        ticket = _attempt(form, lambda: _create(request, form))
        if ticket is not None:
            return redirect("tickets:created", number=ticket.number)
    status = 400 if form.errors or form.unknown_type else 200
    context = {"form": form, "duplicate": duplicate, "known_issues": _known_issues(request, form)}
    return render(request, "tickets/customer/request_new.html", context, status=status)


def _known_issues(request: HttpRequest, form: TicketRequestForm) -> list:
    """What is already known about such requests (tickets.form_notices: an incident)."""
    source = request.POST if request.method == "POST" else request.GET
    return form_notices.notices_for(
        type_slug=form.ticket_type.slug if form.ticket_type else "",
        values={name: source.get(name, "") for name in ("coin", "network")},
        subject=source.get("subject", "")[:200],
        lang=_lang(),
        user=request.user,
    )


@login_required
@require_GET
def request_suggest(request: HttpRequest) -> HttpResponse:
    """Help articles that may already answer the subject being typed: an htmx fragment."""
    query = request.GET.get("q", "")
    try:
        hits = helpcenter_selectors.article_search(query=query, lang=_lang(), limit=SUGGESTIONS)
    except ApplicationError:  # too long, or nothing searchable: no suggestions, no error
        hits = []
    context = {"hits": hits[:SUGGESTIONS]}
    return render(request, "tickets/customer/_suggestions.html", context)


@login_required
@require_GET
def request_created(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    return render(request, "tickets/customer/request_created.html", {"ticket": ticket})


# ------------------------------------------------------------------------- one request


def _field_value(name: str, value: str) -> str:
    if name == "network":
        return fields.NETWORKS.get(value, value)
    if name == "occurred_at":
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            return formats.date_format(timezone.localtime(moment), "Y-m-d H:i T")
    return value


def _field_rows(ticket: Ticket) -> list[tuple[str, str]]:
    """The ticket's typed values with their labels, in the order the form asks for them."""
    return [
        (str(spec.label), _field_value(name, str(ticket.fields[name])))
        for name, spec in fields.FIELD_SPECS.items()
        if ticket.fields.get(name)
    ]


def _customer_actions(ticket: Ticket) -> dict[str, object]:
    """Which actions the page offers; the services check the same rules again on submit."""
    reopen_until = (
        ticket.solved_at + dt.timedelta(days=workflow.REOPEN_DAYS) if ticket.solved_at else None
    )
    in_reopen_window = reopen_until is None or timezone.now() <= reopen_until
    status = ticket.status
    return {
        "can_solve": workflow.allowed(status, Ticket.Status.SOLVED, by_staff=False),
        "can_reopen": workflow.allowed(status, Ticket.Status.OPEN, by_staff=False)
        and in_reopen_window,
        "reopen_until": reopen_until,
        # A reply reopens a solved request, so it follows the reopen window as well.
        "can_reply": status != Ticket.Status.CLOSED
        and (status != Ticket.Status.SOLVED or in_reopen_window),
        "can_rate": not ticket.is_open,
        "can_complain": ticket.type.kind == TicketType.Kind.REQUEST,
    }


def _detail_page(
    request: HttpRequest, ticket: Ticket, *, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    """The request page; a refused action shows it again with that form's errors."""
    context = {
        "ticket": ticket,
        "conversation": selectors.ticket_messages_for_user(user=request.user, ticket=ticket),
        "field_rows": _field_rows(ticket),
        "reply_form": ReplyForm(),
        "status_form": StatusForm(),
        "rate_form": RateForm(initial={"rating": ticket.rating, "comment": ticket.rating_comment}),
        "complaint_form": ComplaintForm(),
        **_customer_actions(ticket),
        **bound,
    }
    return render(request, "tickets/customer/request_detail.html", context, status=status)


@login_required
@require_GET
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    return _detail_page(request, ticket)


@login_required
@require_POST
def request_reply(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    form = ReplyForm(request.POST, request.FILES)
    sent = _attempt(
        form,
        lambda: services.ticket_reply(
            actor=request.user,
            ticket=ticket,
            body=form.cleaned_data["body"],
            files=form.cleaned_data["files"],
        ),
    )
    if sent is None:
        return _detail_page(request, ticket, status=400, reply_form=form)
    messages.success(request, _("Your reply was sent."))
    return redirect(_detail_url(ticket, f"message-{sent.id}"))


@login_required
@require_POST
def request_status(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    form = StatusForm(request.POST)
    changed = _attempt(
        form,
        lambda: services.ticket_change_status(
            actor=request.user, ticket=ticket, status=form.cleaned_data["status"]
        ),
    )
    if changed is None:
        return _detail_page(request, ticket, status=400, status_form=form)
    text = _("Your request is now: %(status)s.") % {"status": changed.get_status_display()}
    messages.success(request, text)
    return redirect(_detail_url(changed))


def _rate(form: RateForm, *, actor, ticket: Ticket) -> Ticket | None:
    return _attempt(
        form, lambda: services.ticket_rate(actor=actor, ticket=ticket, **form.cleaned_data)
    )


@login_required
@require_POST
def request_rate(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    form = RateForm(request.POST)
    rated = _rate(form, actor=request.user, ticket=ticket)
    if rated is None:
        return _detail_page(request, ticket, status=400, rate_form=form)
    messages.success(request, _("Thank you for rating our help."))
    return redirect(_detail_url(rated, "rating"))


@login_required
@require_POST
def request_complain(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, number=number)
    form = ComplaintForm(request.POST)
    complaint = _attempt(
        form,
        lambda: services.ticket_complain(
            actor=request.user, ticket=ticket, body=form.cleaned_data["body"], language=_lang()
        ),
    )
    if complaint is None:
        return _detail_page(request, ticket, status=400, complaint_form=form)
    messages.success(
        request, _("We received your complaint %(number)s.") % {"number": complaint.number}
    )
    return redirect(_detail_url(complaint))


# ------------------------------------------------------------------------- signed links


def _rating_link_ticket(token: str) -> Ticket | None:
    """The ticket a rating link names, while its requester still owns it; None otherwise.

    No selector reads "the ticket of a signed link" yet, so the requester is loaded here
    and the ticket still goes through the per-user selector.
    """
    ids = rating_links.read_token(token)
    if ids is None:
        return None
    ticket_id, requester_id = ids
    requester = get_user_model().objects.filter(id=requester_id, is_active=True).first()
    if requester is None:
        return None
    ticket = selectors.ticket_list_for_user(user=requester).filter(id=ticket_id).first()
    return ticket if ticket is not None and ticket.requester_id == requester.id else None


@require_http_methods(["GET", "POST"])
def request_rate_signed(request: HttpRequest, token: str) -> HttpResponse:
    """Rate from the link in an email without signing in: the signed token stands in for it.

    `?rating=N` pre-selects the star the customer clicked in the email.
    """
    ticket = _rating_link_ticket(token)
    if ticket is None:
        return render(request, "tickets/customer/rate_signed_invalid.html", status=400)
    initial = {"rating": request.GET.get("rating")}
    form = RateForm(request.POST) if request.method == "POST" else RateForm(initial=initial)
    rated = form.is_bound and _rate(form, actor=ticket.requester, ticket=ticket) is not None
    context = {"ticket": ticket, "form": form, "rated": rated}
    status = 400 if form.errors else 200
    return render(request, "tickets/customer/rate_signed.html", context, status=status)


def _private_download(attachment: TicketAttachment) -> FileResponse:
    """Always a download in a sandbox: the bytes were checked to be media, not to be harmless."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = selectors.attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    return _private_download(attachment)
