"""This package's part of the customer's security page (accounts.security.page)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

TEMPLATE = "accounts/freeze/section.html"


def section_context(request: HttpRequest) -> dict:
    return {
        "confirm_url": reverse("accounts:freeze-confirm"),
        "appeal_request_url": reverse("accounts:freeze-appeal-request"),
    }
