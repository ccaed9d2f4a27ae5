"""/account/verification/: where a customer stands, and the form for the next level."""

from __future__ import annotations

from allauth.core import ratelimit
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.documents import DocumentRejected
from accounts.kyc.forms import FORMS
from accounts.kyc.reasons import reason_labels
from accounts.kyc.selectors import KycProgress, kyc_progress_for, kyc_submissions_for
from accounts.kyc.services import kyc_level_check, kyc_submit
from accounts.models import KycLevel
from core.exceptions import ApplicationError

TEMPLATE = "accounts/kyc/page.html"


@login_required
@csp_update({"img-src": ["blob:"]})  # kyc_upload.js previews the chosen files from blob: URLs
def kyc_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _submit(request)
    return _page(request)


def _submit(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not ratelimit.consume(request, action="kyc_upload", user=user):
        message = _("Too many uploads in a short time. Please try again in an hour.")
        return _page(request, error=message, status=429)
    try:
        level = int(request.POST.get("level", ""))
    except ValueError:
        level = 0
    try:
        kyc_level_check(user=user, level=level)
    except ApplicationError as exc:
        return _page(request, error=exc.message, status=exc.status_code)
    form = FORMS[level](request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=form, error=_("Please check the fields below."), status=400)
    data = form.cleaned_data
    try:
        kyc_submit(
            user=user,
            level=level,
            documents=form.documents(),
            legal_name=data.get("legal_name", ""),
            birth_date=data.get("birth_date"),
            nationality=data.get("nationality", ""),
            request=request,
        )
    except DocumentRejected as exc:
        return _page(request, form=form, error=str(exc), status=400)
    except ApplicationError as exc:
        return _page(request, form=form, error=exc.message, status=exc.status_code)
    messages.success(
        request,
        _(
            "Thank you, we received it. We usually review within 1–3 business days "
            "and will email you the result."
        ),
    )
    return redirect("accounts:kyc")


def _levels(progress: KycProgress) -> list[dict]:
    rows = []
    for level in KycLevel:
        if level <= progress.level:
            state, label = "approved", _("Approved")
        elif level != progress.next_level:
            state, label = "locked", _("Needs the level below")
        elif progress.pending:
            state, label = "pending", _("Under review")
        elif progress.rejected:
            state, label = "rejected", _("Rejected: please send it again")
        else:
            state, label = "open", _("Not started")
        rows.append(
            {"number": level.value, "label": level.label, "state": state, "state_label": label}
        )
    return rows


def _page(
    request: HttpRequest, *, form: Form | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    progress = kyc_progress_for(user=request.user)
    if not progress.can_submit:
        form = None
    elif form is None or form.level != progress.next_level:
        form = FORMS[progress.next_level]()
    submissions = [
        {"submission": submission, "reasons": reason_labels(submission.rejection_reasons)}
        for submission in kyc_submissions_for(user=request.user)
    ]
    context = {
        "progress": progress,
        "level_label": KycLevel(progress.level).label if progress.level else "",
        "next_label": KycLevel(progress.next_level).label if progress.next_level else "",
        "levels": _levels(progress),
        "form": form,
        "error": error,
        "submissions": submissions,
    }
    return render(request, TEMPLATE, context, status=status)
