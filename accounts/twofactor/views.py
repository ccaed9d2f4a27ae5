"""Public pages of a two-factor reset: ask for one, and cancel one from the emailed link.

Both work without signing in: the person asking has lost their second factor, and the
person cancelling may be the owner whose password a thief has.
"""

from __future__ import annotations

from allauth.core import ratelimit
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.links import LinkInvalid, link_peek
from accounts.models import MfaResetRequest, OneTimeLink, User
from accounts.twofactor.forms import ResetRequestForm
from accounts.twofactor.services import (
    ResetConflict,
    cooldown,
    mfa_reset_cancel,
    mfa_reset_request_create,
)

RATE_ACTION = "mfa_reset_request"


def _account_for(email: str, password: str) -> User | None:
    """The active account with this email and password, else None, in the same time."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        make_password(password)  # as slow as a real check: no timing difference
        return None
    return user if user.check_password(password) else None


def _form_page(
    request: HttpRequest, form: ResetRequestForm, status: int = 200, **extra
) -> HttpResponse:
    hours = int(cooldown().total_seconds() // 3600)
    context = {"form": form, "cooldown_hours": hours, **extra}
    return render(request, "accounts/twofactor/reset_request.html", context, status=status)


@require_http_methods(["GET", "POST"])
def reset_request(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, ResetRequestForm())
    if not ratelimit.consume(request, action=RATE_ACTION):
        message = _("Too many reset requests from your network. Try again in an hour.")
        return _form_page(request, ResetRequestForm(), status=429, limited=message)
    form = ResetRequestForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    data = form.cleaned_data
    user = _account_for(data["email"], data["password"])
    if user is None:
        # Unknown email or wrong password: the same answer as a good request.
        return render(request, "accounts/twofactor/reset_received.html")
    try:
        mfa_reset_request_create(
            user=user,
            legal_name=data["legal_name"],
            birth_date=data["birth_date"],
            description=data["description"],
            selfie=data["selfie"],
            request=request,
        )
    except ResetConflict as conflict:
        # The password was right: telling its owner what stands in the way gives nothing away.
        form.add_error(None, conflict.message)
        return _form_page(request, form, status=conflict.status_code)
    return render(request, "accounts/twofactor/reset_received.html")


@require_http_methods(["GET", "POST"])
def reset_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what would be cancelled; POST cancels (mail scanners only GET)."""
    purpose = OneTimeLink.Purpose.MFA_RESET_CANCEL
    try:
        link = link_peek(token=token, purpose=purpose)
    except LinkInvalid:
        return _cancel_failed(request, _("This link is invalid, used or expired."), status=404)
    reset = MfaResetRequest.objects.filter(id=link.subject_id, user=link.user).first()
    if request.method == "GET":
        return render(request, "accounts/twofactor/reset_cancel.html", {"reset": reset})
    try:
        reset = mfa_reset_cancel(token=token, request=request)
    except LinkInvalid:
        return _cancel_failed(request, _("This link is invalid, used or expired."), status=404)
    except ResetConflict as conflict:
        return _cancel_failed(request, conflict.message, status=conflict.status_code)
    return render(request, "accounts/twofactor/reset_cancelled.html", {"reset": reset})


def _cancel_failed(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(
        request, "accounts/twofactor/reset_cancel.html", {"error": message}, status=status
    )
