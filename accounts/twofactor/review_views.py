"""The security reviewers' 2FA-reset queue: each request beside the customer's KYC record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import client_ip, security_event_record
from accounts.documents import DocumentUnreadable, document_read
from accounts.models import DocumentView, IdentityDocument, SecurityEvent
from accounts.permissions import reviewer_required
from accounts.twofactor.forms import DecisionForm
from accounts.twofactor.selectors import kyc_record_for, mfa_reset_for_reviewer, mfa_reset_queue
from accounts.twofactor.services import mfa_reset_decide
from core.exceptions import ApplicationError


@reviewer_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/twofactor/review_queue.html", {"resets": list(mfa_reset_queue()[:200])}
    )


def _reset_or_404(reset_id: int):
    reset = mfa_reset_for_reviewer(reset_id=reset_id)
    if reset is None:
        raise Http404
    return reset


def _detail(request: HttpRequest, reset, form: DecisionForm, status: int = 200) -> HttpResponse:
    record = kyc_record_for(reset.user)
    documents = list(record.documents.order_by("id")) if record is not None else []
    return render(
        request,
        "accounts/twofactor/review_detail.html",
        {
            "reset": reset,
            "record": record,
            "documents": documents,
            "name_matches": record is not None
            and record.legal_name.casefold().split() == reset.legal_name.casefold().split(),
            "birth_date_matches": record is not None and record.birth_date == reset.birth_date,
            "form": form,
            "own": reset.user_id == request.user.pk,
        },
        status=status,
    )


@reviewer_required
@require_GET
def detail(request: HttpRequest, reset_id: int) -> HttpResponse:
    return _detail(request, _reset_or_404(reset_id), DecisionForm())


@reviewer_required
@require_POST
def decide(request: HttpRequest, reset_id: int) -> HttpResponse:
    reset = _reset_or_404(reset_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, reset, form, status=400)
    try:
        mfa_reset_decide(
            reviewer=request.user,
            reset_id=reset.id,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ApplicationError as error:
        form.add_error(None, error.message)
        return _detail(request, _reset_or_404(reset_id), form, status=error.status_code)
    messages.success(request, _("Decision saved."))
    return redirect("security_desk:twofactor-resets")


@reviewer_required
@require_GET
def document(request: HttpRequest, reset_id: int, document_id: int) -> HttpResponse:
    """The reset's selfie, or a document of the KYC record shown beside it; every view is
    recorded (DocumentView, and a line in the customer's audit trail)."""
    reset = _reset_or_404(reset_id)
    if reset.user_id == request.user.pk:
        raise PermissionDenied
    allowed = {reset.selfie_id}
    record = kyc_record_for(reset.user)
    if record is not None:
        allowed.update(record.documents.values_list("id", flat=True))
    if document_id not in allowed:
        raise Http404
    doc = IdentityDocument.objects.get(id=document_id)
    try:
        content = document_read(doc)
    except DocumentUnreadable as exc:
        raise Http404 from exc
    with transaction.atomic():
        DocumentView.objects.create(document=doc, viewer=request.user, ip=client_ip(request))
        security_event_record(
            user=reset.user,
            kind=SecurityEvent.Kind.DOCUMENT_VIEWED,
            request=request,
            actor=request.user,
            document_id=doc.id,
            document_kind=doc.kind,
            reset_id=reset.id,
        )
    response = HttpResponse(content, content_type=doc.content_type)
    response["Content-Disposition"] = f'inline; filename="{doc.kind}-{doc.id}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
