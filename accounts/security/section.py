"""This package's part of the customer's security page (accounts.security.page)."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.security import selectors
from accounts.security.rules import code_masked, phone_masked

TEMPLATE = "accounts/security/section.html"


def section_context(request: HttpRequest) -> dict:
    user = request.user
    return {
        "sign_ins": selectors.event_rows(selectors.sign_ins_recent(user=user)),
        "sessions": selectors.sessions_active(user=user),
        "code_masked": code_masked(user.anti_phishing_code),
        "phone_masked": phone_masked(user.phone),
    }
