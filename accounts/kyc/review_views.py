"""/console/security/kyc/: the reviewers' queue, a submission beside its documents, the
decision, and the only way to see a document's bytes."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.documents import DocumentUnreadable
from accounts.kyc.forms import DecisionForm
from accounts.kyc.reasons import reason_labels
from accounts.kyc.selectors import (
    document_views_for,
    kyc_history_for_review,
    kyc_queue,
    kyc_submission_for_review,
)
from accounts.kyc.services import identity_document_open, kyc_review
from accounts.permissions import reviewer_required
from core.exceptions import ApplicationError, NotFound

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


@reviewer_required
def kyc_queue_page(request: HttpRequest) -> HttpResponse:
    submissions = list(kyc_queue())
    return render(
        request,
        "accounts/kyc/review_queue.html",
        {"submissions": submissions, "count": len(submissions)},
    )


def _detail(
    request: HttpRequest,
    submission_id: int,
    *,
    form: DecisionForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    submission = kyc_submission_for_review(submission_id=submission_id)
    if submission is None:
        raise Http404
    history = [
        {"submission": earlier, "reasons": reason_labels(earlier.rejection_reasons)}
        for earlier in kyc_history_for_review(submission=submission)
    ]
    context = {
        "submission": submission,
        "reasons": reason_labels(submission.rejection_reasons),
        "history": history,
        "views": document_views_for(submission=submission)[:200],
        "form": form or DecisionForm(),
        "error": error,
    }
    return render(request, "accounts/kyc/review_detail.html", context, status=status)


@reviewer_required
def kyc_review_page(request: HttpRequest, submission_id: int) -> HttpResponse:
    return _detail(request, submission_id)


@reviewer_required
@require_POST
def kyc_decide(request: HttpRequest, submission_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject") or not form.is_valid():
        error = _("Choose approve or reject, and check the reasons and the note.")
        return _detail(request, submission_id, form=form, error=error, status=400)
    try:
        submission = kyc_review(
            reviewer=request.user,
            submission_id=submission_id,
            approve=decision == "approve",
            reasons=form.cleaned_data["reasons"],
            note=form.cleaned_data["note"],
        )
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        return _detail(request, submission_id, form=form, error=exc.message, status=exc.status_code)
    if decision == "approve":
        messages.success(request, _("Approved. The customer will get an email."))
    else:
        messages.success(request, _("Rejected. The customer will get an email with the reasons."))
    return redirect("security_desk:kyc-detail", submission.id)


@reviewer_required
def kyc_document(request: HttpRequest, document_id: int) -> HttpResponse:
    """The decrypted file, inline, never cached; every call is logged (DocumentView)."""
    try:
        document, data = identity_document_open(
            viewer=request.user, document_id=document_id, request=request
        )
    except NotFound as exc:
        raise Http404 from exc
    except DocumentUnreadable:
        return HttpResponse(
            _("This document cannot be read. Ask an operator to check the encryption keys."),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(data, content_type=document.content_type)
    extension = EXTENSIONS.get(document.content_type, "bin")
    response["Content-Disposition"] = (
        f'inline; filename="{document.kind}-{document.id}.{extension}"'
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response
