"""Freeze pages; the lead's placeholder for the URL name other packages link to."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def not_me(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404  # replaced by the freeze package
