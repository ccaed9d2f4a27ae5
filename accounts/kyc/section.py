"""This package's part of the customer's security page (accounts.security.page)."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.kyc.selectors import kyc_progress_for
from accounts.models import KycLevel

TEMPLATE = "accounts/kyc/section.html"


def section_context(request: HttpRequest) -> dict:
    progress = kyc_progress_for(user=request.user)
    return {
        "level": progress.level,
        "level_label": KycLevel(progress.level).label if progress.level else "",
        "top_level": progress.next_level is None,
        "pending": progress.pending,
        "rejected": progress.rejected,
        "next_label": KycLevel(progress.next_level).label if progress.next_level else "",
    }
