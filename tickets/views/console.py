"""The agent console's HTML pages: queues, and one ticket worked through the services.

Only staff get in: agents, security reviewers, supervisors, admins (may_use_console).
Which tickets each may see or change is the selectors' and services' business
(TicketPolicy), not these views'.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import Refusal, access_refusal
from core.exceptions import ApplicationError
from tickets import console, selectors, services
from tickets.console.workspace import my_work
from tickets.models import Ticket
from tickets.permissions import CONSOLE

View = Callable[..., HttpResponse]
_NUMBER = re.compile(r"^[0-9]{6}-[0-9]{6}$")


def _check_number(number: str) -> None:
    """404 for what cannot be a ticket number, before it reaches SQL (NUL bytes would 500)."""
    if not _NUMBER.match(number):
        raise Http404


def staff_only(view: View) -> View:
    """The console's door (CONSOLE, which its socket asks too): signed-out visitors are
    sent to sign in; anyone else it refuses gets 403, not a login loop. (Staff without
    2FA never get here: the middleware sends them to set it up first.)"""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        refusal = access_refusal(request.user, CONSOLE)
        if refusal is Refusal.SIGNED_OUT:
            return redirect_to_login(request.get_full_path())
        if refusal is not None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@staff_only
def queue(request: HttpRequest) -> HttpResponse:
    page = console.console_queue(
        user=request.user,
        queue=request.GET.get("queue", console.DEFAULT_QUEUE),
        filters=request.GET,
        after=request.GET.get("after"),
        lang=translation.get_language() or "en",
    )
    return render(request, "tickets/console/queue.html", {"page": page, "filters": request.GET})


@require_GET
@staff_only
def queue_nav(request: HttpRequest) -> HttpResponse:
    """The queue list alone, for the live refresh of its counts. `current=0`: refreshed
    on a page that is not a queue, so no queue is marked as the current page."""
    nav = console.queue_nav(
        user=request.user,
        queue=request.GET.get("queue", console.DEFAULT_QUEUE),
        lang=translation.get_language() or "en",
    )
    if request.GET.get("current") == "0":
        nav.queue = ""
    return render(request, "tickets/console/_queue_nav.html", {"page": nav})


@require_GET
@staff_only
def inbox(request: HttpRequest) -> HttpResponse:
    """ "My work": the agent's own open tickets and chats in one list, newest activity first."""
    return render(request, "tickets/console/inbox.html", {"items": my_work(user=request.user)})


def _wants_fragment(request: HttpRequest) -> bool:
    """An in-place edit (htmx, or console.js's fetch, which sends the same header)."""
    return request.headers.get("HX-Request") == "true"


def _ticket_page(
    request: HttpRequest,
    number: str,
    *,
    error: str = "",
    draft: str = "",
    status: int = 200,
    macro_id: str = "",
    done: str = "",
) -> HttpResponse:
    _check_number(number)
    view = console.console_ticket(user=request.user, number=number)
    draft = draft or next((text for m, text in view.macros if str(m.id) == macro_id), "")
    context = {
        "view": view,
        "ticket": view.ticket,
        "error": error,
        "draft": draft,
        "done": done,
        "note_mode": request.POST.get("visibility") == "internal" and bool(error),
        "swap_composer": request.resolver_match.url_name == "console-reply",
    }
    template = "tickets/console/ticket.html"
    if _wants_fragment(request):
        template = "tickets/console/_ticket_fragment.html"
    return render(request, template, context, status=status)


@require_GET
@staff_only
def ticket(request: HttpRequest, number: str) -> HttpResponse:
    """`?macro=<id>` puts that canned reply in the reply box (the no-JavaScript way)."""
    return _ticket_page(request, number, macro_id=request.GET.get("macro", ""))


def _write(
    request: HttpRequest,
    number: str,
    action: Callable[[Ticket], object],
    done: str,
    draft: str = "",
    go_to: Callable[[object], str] | None = None,
) -> HttpResponse:
    """Run one service on the ticket, then back to its page (or to the number `go_to` picks
    from the service's result, e.g. a new ticket).

    A rule's refusal re-renders the page with the message and a 400, keeping the agent's
    draft: a long reply must not be lost to, say, a too-large attachment. An in-place
    edit (HX-Request) gets the changed parts of the page instead, with the outcome in them.
    """
    _check_number(number)
    found = selectors.ticket_get_for_user(user=request.user, number=number)
    try:
        result = action(found)
    except ApplicationError as exc:
        return _ticket_page(request, number, error=exc.message, draft=draft, status=400)
    if _wants_fragment(request) and go_to is None:
        return _ticket_page(request, number, done=done)
    messages.success(request, done)
    return redirect("tickets:console-ticket", number=go_to(result) if go_to else number)


@require_POST
@staff_only
def ticket_reply(request: HttpRequest, number: str) -> HttpResponse:
    # Anything but an explicit "public" is a note: a slip must never reach the customer.
    internal = request.POST.get("visibility") != "public"
    body, files = request.POST.get("body", ""), request.FILES.getlist("files")
    done = _("Internal note added.") if internal else _("Reply sent to the customer.")
    return _write(
        request,
        number,
        lambda t: services.ticket_reply(
            actor=request.user, ticket=t, body=body, internal=internal, files=files
        ),
        done,
        draft=body,
    )


@require_POST
@staff_only
def ticket_assign(request: HttpRequest, number: str) -> HttpResponse:
    choice = request.POST.get("assignee", "")
    return _write(
        request,
        number,
        lambda t: services.ticket_assign(
            actor=request.user,
            ticket=t,
            assignee=console.assignee_from_choice(actor=request.user, choice=choice),
        ),
        _("Assignment saved."),
    )


@require_POST
@staff_only
def ticket_status(request: HttpRequest, number: str) -> HttpResponse:
    status = request.POST.get("status", "")
    return _write(
        request,
        number,
        lambda t: services.ticket_change_status(actor=request.user, ticket=t, status=status),
        _("Status changed."),
    )


@require_POST
@staff_only
def ticket_priority(request: HttpRequest, number: str) -> HttpResponse:
    priority = request.POST.get("priority", "")
    return _write(
        request,
        number,
        lambda t: services.ticket_change_priority(actor=request.user, ticket=t, priority=priority),
        _("Priority changed."),
    )


@require_POST
@staff_only
def complaint_outcome(request: HttpRequest, number: str) -> HttpResponse:
    outcome, reply = request.POST.get("outcome", ""), request.POST.get("body", "")
    return _write(
        request,
        number,
        lambda t: services.complaint_resolve(
            actor=request.user, complaint=t, outcome=outcome, reply=reply
        ),
        _("Outcome recorded and sent to the customer."),
        draft=reply,
    )


@require_POST
@staff_only
def ticket_tags(request: HttpRequest, number: str) -> HttpResponse:
    add = request.POST.get("add", "").replace(",", " ").split()
    remove = request.POST.getlist("remove")
    return _write(
        request,
        number,
        lambda t: services.ticket_tag(actor=request.user, ticket=t, add=add, remove=remove),
        _("Tags saved."),
    )


@require_POST
@staff_only
def ticket_merge(request: HttpRequest, number: str) -> HttpResponse:
    """Merge this ticket into the one numbered in the form; its page then shows the survivor."""
    target_number = request.POST.get("into", "").strip()[:20]

    def merge(source: Ticket) -> object:
        target = services.ticket_merge_target(actor=request.user, number=target_number)
        return services.ticket_merge(actor=request.user, source=source, target=target)

    return _write(request, number, merge, _("Merged."))


@require_POST
@staff_only
def ticket_follow(request: HttpRequest, number: str) -> HttpResponse:
    return _write(
        request,
        number,
        lambda t: services.ticket_follow(actor=request.user, ticket=t),
        _("You are following this ticket."),
    )


@require_POST
@staff_only
def ticket_unfollow(request: HttpRequest, number: str) -> HttpResponse:
    return _write(
        request,
        number,
        lambda t: services.ticket_unfollow(actor=request.user, ticket=t),
        _("You no longer follow this ticket."),
    )


@require_POST
@staff_only
def ticket_split(request: HttpRequest, number: str) -> HttpResponse:
    """Move the ticked messages to a new ticket, then show the new ticket."""
    ids, subject = request.POST.getlist("messages"), request.POST.get("subject", "")
    return _write(
        request,
        number,
        lambda t: services.ticket_split(
            actor=request.user, ticket=t, message_ids=ids, subject=subject
        ),
        _("Split off from %(number)s.") % {"number": number},
        go_to=lambda new: new.number,
    )


@require_POST
@staff_only
def bulk(request: HttpRequest) -> HttpResponse:
    """One change to the tickets ticked on a queue page; all or none of them change."""
    # Only what could be a ticket number reaches the query (PostgreSQL refuses NUL bytes).
    numbers = [n for n in request.POST.getlist("tickets")[: console.PAGE_SIZE] if _NUMBER.match(n)]
    tickets = list(selectors.ticket_list_for_user(user=request.user).filter(number__in=numbers))
    action, value = request.POST.get("action", ""), request.POST.get("value", "").strip()
    try:
        changed = services.tickets_bulk_update(
            actor=request.user, tickets=tickets, action=action, value=value, assignee=request.user
        )
        done = _("%(n)d tickets changed.") % {"n": changed}
        if action == "merge":
            done = ngettext(
                "%(n)d ticket merged into %(number)s.",
                "%(n)d tickets merged into %(number)s.",
                changed,
            ) % {"n": changed, "number": value}
        messages.success(request, done)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    next_url = request.POST.get("next", "")
    return redirect(next_url if next_url.startswith("/console/") else "tickets:console")
