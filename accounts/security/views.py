"""Customer pages of the security section: the full history, the anti-phishing code, the
phone number, and "sign out everywhere else". Each view calls one selector or service."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.security import selectors, services
from accounts.security.forms import AntiPhishingCodeForm, PhoneForm
from accounts.security.rules import code_masked, phone_masked

HISTORY_PAGE_SIZE = 25


@login_required
def history(request: HttpRequest) -> HttpResponse:
    """Every line of the signed-in person's own audit trail, newest first."""
    events = selectors.security_events_for_user(user=request.user)
    page = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/security/history.html",
        {"page": page, "rows": selectors.event_rows(page.object_list)},
    )


@login_required
@reauthentication_required
def code_change(request: HttpRequest) -> HttpResponse:
    form = AntiPhishingCodeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.anti_phishing_code_set(
                    user=request.user, code=form.cleaned_data["code"], request=request
                )
            except ValidationError as exc:
                form.add_error("code", exc)
            else:
                messages.success(request, _("Your anti-phishing code is saved."))
                return redirect("accounts:security")
        return _form_page(request, "accounts/security/code_form.html", form, status=400)
    context = {"current": code_masked(request.user.anti_phishing_code)}
    return _form_page(request, "accounts/security/code_form.html", form, **context)


@login_required
@reauthentication_required
def phone_change(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.phone_set(
                    user=request.user, phone=form.cleaned_data["phone"], request=request
                )
            except ValidationError as exc:
                form.add_error("phone", exc)
            else:
                messages.success(request, _("Your phone number is saved."))
                return redirect("accounts:security")
        return _form_page(request, "accounts/security/phone_form.html", form, status=400)
    context = {"current": phone_masked(request.user.phone)}
    return _form_page(request, "accounts/security/phone_form.html", form, **context)


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    event = services.other_sessions_end(user=request.user, request=request)
    ended = event.detail.get("ended", 0)
    messages.success(request, _("You are now signed out everywhere else."))
    if not ended:
        messages.info(request, _("There were no other sessions."))
    return redirect("accounts:security")


def _form_page(
    request: HttpRequest, template: str, form, status: int = 200, **context
) -> HttpResponse:
    return render(request, template, {"form": form, **context}, status=status)
