"""The security desk's front page for reviewers: what waits in each queue."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import KycSubmission, MfaResetRequest, ReviewStatus, UnfreezeAppeal
from accounts.permissions import reviewer_required


@reviewer_required
def reviewer_home(request: HttpRequest) -> HttpResponse:
    counts = {
        "kyc": KycSubmission.objects.filter(status=ReviewStatus.PENDING).count(),
        "appeals": UnfreezeAppeal.objects.filter(status=UnfreezeAppeal.Status.PENDING).count(),
        "mfa_resets": MfaResetRequest.objects.filter(status=MfaResetRequest.Status.PENDING).count(),
    }
    return render(request, "accounts/review/home.html", {"counts": counts})
