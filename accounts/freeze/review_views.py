"""Staff pages: an agent freezes for a customer; reviewers decide unfreeze appeals."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.documents import DocumentUnreadable, document_read
from accounts.freeze import selectors, services
from accounts.freeze.forms import AgentFreezeForm, AppealDecisionForm
from accounts.freeze.permissions import (
    FreezeRefused,
    freeze_check,
    freezer_required,
    is_staff_account,
)
from accounts.freeze.reviews import ReviewRefused, appeal_decide, selfie_view_record
from accounts.models import AccountFreeze, AppealReview, User
from accounts.permissions import reviewer_required


@freezer_required
@require_http_methods(["GET", "POST"])
def agent_freeze(request: HttpRequest, uid: int) -> HttpResponse:
    """Freeze a customer's account after verifying them on the phone (staff: admins only)."""
    customer = get_object_or_404(User, uid=uid)
    freeze = services.active_freeze(user=customer)
    form = AgentFreezeForm(request.POST if request.method == "POST" else None)
    template = "accounts/freeze/review/agent_freeze.html"
    try:
        freeze_check(actor=request.user, user=customer)  # refused before the form is shown
        if request.method == "POST" and freeze is None and form.is_valid():
            services.account_freeze(
                user=customer,
                source=AccountFreeze.Source.AGENT,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
            messages.success(request, _("The account is frozen. The customer was emailed."))
            return redirect("security_desk:freeze-agent", uid=customer.uid)
    except FreezeRefused as exc:
        context = {"customer": customer, "refusal": exc.message}
        return render(request, template, context, status=exc.status_code)
    status = 400 if form.is_bound and freeze is None else 200
    context = {"customer": customer, "freeze": freeze, "form": form}
    context["staff_account"] = is_staff_account(customer)
    return render(request, template, context, status=status)


@reviewer_required
@require_GET
def appeal_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/freeze/review/queue.html", {"appeals": selectors.appeal_queue()}
    )


def _detail(
    request: HttpRequest, appeal_id: int, form: AppealDecisionForm, status: int = 200
) -> HttpResponse:
    appeal = selectors.appeal_get(appeal_id=appeal_id)
    kyc = selectors.kyc_record_approved(user=appeal.user)
    reviews = list(selectors.appeal_reviews(appeal=appeal))
    context = {
        "appeal": appeal,
        "freeze": appeal.freeze,
        "kyc": kyc,
        "name_matches": kyc is not None
        and " ".join(kyc.legal_name.split()).casefold()
        == " ".join(appeal.legal_name.split()).casefold(),
        "birth_date_matches": kyc is not None and kyc.birth_date == appeal.birth_date,
        "events": selectors.security_events_recent(user=appeal.user),
        "reviews": reviews,
        "already_reviewed": any(review.reviewer_id == request.user.id for review in reviews),
        "form": form,
    }
    return render(request, "accounts/freeze/review/detail.html", context, status=status)


@reviewer_required
@require_GET
def appeal_detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    return _detail(request, appeal_id, AppealDecisionForm())


@reviewer_required
@require_POST
def appeal_review(request: HttpRequest, appeal_id: int) -> HttpResponse:
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, appeal_id, form, status=400)
    try:
        appeal = appeal_decide(
            appeal_id=appeal_id,
            reviewer=request.user,
            decision=AppealReview.Decision(form.cleaned_data["decision"]),
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ReviewRefused as exc:
        form.add_error(None, exc.message)
        return _detail(request, appeal_id, form, status=exc.status_code)
    if appeal.status == appeal.Status.PENDING:
        messages.success(request, _("Your approval is recorded. A second reviewer must approve."))
    elif appeal.status == appeal.Status.APPROVED:
        messages.success(request, _("Approved: the account is unfrozen and the customer emailed."))
    else:
        messages.success(request, _("Rejected: the account stays frozen; the customer emailed."))
    return redirect("security_desk:freeze-appeals")


@reviewer_required
@require_GET
def appeal_selfie(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The appeal's selfie, to reviewers only; every view is recorded."""
    appeal = selectors.appeal_get(appeal_id=appeal_id)
    document = appeal.selfie
    try:
        content = document_read(document)
    except DocumentUnreadable:
        return HttpResponse(_("The file cannot be read."), status=404, content_type="text/plain")
    selfie_view_record(appeal=appeal, viewer=request.user, request=request)
    response = HttpResponse(content, content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="appeal-{appeal.id}-selfie"'
    return response
