"""The customer's freeze pages: freeze from the security page or an alert's link, and
appeal. Each view parses input and calls one service; none needs 2FA, and only the
security page's freeze needs a sign-in (the account may be in a thief's hands)."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.documents import DocumentRejected
from accounts.freeze import appeals, services
from accounts.freeze.forms import AppealForm, AppealLinkRequestForm, SelfFreezeForm
from accounts.freeze.notices import APPEAL_LINK_LIFETIME
from accounts.links import LinkInvalid, link_failure, link_peek, link_redeem
from accounts.models import AccountFreeze, OneTimeLink
from core.exceptions import ApplicationError
from core.ratelimits import rate_allowed


def _rate_limited(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/freeze/rate_limited.html", status=429)


def _link_refused(request: HttpRequest, token: str, purpose: str) -> HttpResponse:
    failure = link_failure(token=token, purpose=purpose)
    if (
        purpose == OneTimeLink.Purpose.APPEAL
        and failure.link is not None
        and appeals.appeal_pending_exists(user=failure.link.user)
    ):
        return render(request, "accounts/freeze/appeal_pending.html", status=409)
    return render(
        request,
        "accounts/freeze/link_invalid.html",
        {"spent": failure.status == 410, "purpose": purpose},
        status=failure.status,
    )


def _sign_out_if(request: HttpRequest, user_id: int) -> None:
    if request.user.is_authenticated and request.user.id == user_id:
        logout(request)


# ---------------------------------------------------------------- freezing


@login_required
@require_http_methods(["GET", "POST"])
def freeze_confirm(request: HttpRequest) -> HttpResponse:
    """From the security page: confirm, optionally say why, and freeze."""
    form = SelfFreezeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not rate_allowed(request, action="freeze", user=request.user):
            return _rate_limited(request)
        user = request.user
        services.account_freeze(
            user=user,
            source=AccountFreeze.Source.SECURITY_PAGE,
            reason=form.cleaned_data["reason"],
            request=request,
        )
        logout(request)
        return redirect("accounts:freeze-done")
    return render(request, "accounts/freeze/confirm.html", {"form": form})


def frozen(request: HttpRequest) -> HttpResponse:
    """What happened and how to appeal; shown after a freeze, to anyone."""
    return render(
        request, "accounts/freeze/frozen.html", {"lifetime_days": APPEAL_LINK_LIFETIME.days}
    )


@require_http_methods(["GET", "POST"])
def not_me(request: HttpRequest, token: str) -> HttpResponse:
    """ "This wasn't me" from a new-device alert: one click to confirm, then frozen."""
    if not rate_allowed(request, action="freeze_link"):
        return _rate_limited(request)
    purpose = OneTimeLink.Purpose.NOT_ME
    try:
        if request.method == "GET":
            link = link_peek(token=token, purpose=purpose)
            return render(request, "accounts/freeze/not_me.html", {"email": link.user.email})
        with transaction.atomic():
            link = link_redeem(token=token, purpose=purpose)
            services.account_freeze(
                user=link.user,
                source=AccountFreeze.Source.ALERT_LINK,
                reason="",
                request=request,
            )
    except LinkInvalid:
        return _link_refused(request, token, purpose)
    _sign_out_if(request, link.user_id)
    return redirect("accounts:freeze-done")


# ---------------------------------------------------------------- appealing


@require_http_methods(["GET", "POST"])
def appeal_request(request: HttpRequest) -> HttpResponse:
    """Ask for a fresh appeal link by email; the answer never says whether it went."""
    form = AppealLinkRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not rate_allowed(request, action="appeal", key=form.cleaned_data["email"].lower()):
            return _rate_limited(request)
        appeals.appeal_link_request(email=form.cleaned_data["email"])
        return render(request, "accounts/freeze/appeal_request_sent.html")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/freeze/appeal_request.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def appeal(request: HttpRequest, token: str) -> HttpResponse:
    """The appeal form behind the emailed link: identity, what happened, a fresh selfie."""
    purpose = OneTimeLink.Purpose.APPEAL
    try:
        link = link_peek(token=token, purpose=purpose)
    except LinkInvalid:
        return _link_refused(request, token, purpose)
    if appeals.appeal_pending_exists(user=link.user):
        return render(request, "accounts/freeze/appeal_pending.html", status=409)
    if services.active_freeze(user=link.user) is None:
        return render(request, "accounts/freeze/not_frozen.html", status=409)
    form = AppealForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            appeals.appeal_submit(token=token, request=request, **form.cleaned_data)
        except LinkInvalid:
            return _link_refused(request, token, purpose)
        except DocumentRejected as exc:
            form.add_error("selfie", str(exc))
        except ApplicationError as exc:
            return render(
                request,
                "accounts/freeze/appeal_pending.html",
                {"message": exc.message},
                status=exc.status_code,
            )
        else:
            return render(request, "accounts/freeze/appeal_sent.html")
    status = 400 if form.is_bound else 200
    context = {"form": form, "email": link.user.email, "title": _("Appeal the freeze")}
    return render(request, "accounts/freeze/appeal.html", context, status=status)
