"""This package's part of the customer's security page (accounts.security.page)."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.twofactor.selectors import mfa_reset_open_for, twofactor_status_for

TEMPLATE = "accounts/twofactor/section.html"


def section_context(request: HttpRequest) -> dict:
    user = request.user
    return {
        "status": twofactor_status_for(user=user),
        "reset": mfa_reset_open_for(user=user),
        "reenrolment_required": user.mfa_reenrolment_required,
    }
