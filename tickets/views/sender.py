"""The page behind the link in a "did you contact us?" email (tickets.sender_confirm).

It shows when and how the request came in, never its text (which someone else may have
written), and asks the owner whether it was them. The answer is a POST, so a mail
scanner that opens links answers nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from tickets import sender_confirm
from tickets.services.senders import answered, ticket_sender_answer


@never_cache
@require_http_methods(["GET", "POST"])
def request_sender_confirm(request: HttpRequest, token: str) -> HttpResponse:
    ticket = sender_confirm.ticket_for_token(token)
    if ticket is None:
        return render(request, "tickets/customer/sender_confirm_invalid.html", status=400)
    error = ""
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        if answer not in ("yes", "no"):
            error = "choose"
        else:
            try:
                ticket = ticket_sender_answer(ticket=ticket, was_me=answer == "yes")
            except ApplicationError:
                error = "answered"  # the first answer stands; the page shows it
    context = {"ticket": ticket, "answer": answered(ticket), "error": error}
    status = 400 if error == "choose" else 200
    return render(request, "tickets/customer/sender_confirm.html", context, status=status)
