"""This package's part of the customer's security page (accounts.security.page)."""

from __future__ import annotations

from django.http import HttpRequest

TEMPLATE = ""  # empty: nothing to show yet


def section_context(request: HttpRequest) -> dict:
    return {}
