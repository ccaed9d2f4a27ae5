"""Beacon's own rate limits, counted by allauth's limiter so every limit lives in one
setting (ACCOUNT_RATE_LIMITS) and one cache, beside sign-in's and password reset's."""

from __future__ import annotations

from allauth.core.internal import ratelimit as _allauth
from django.http import HttpRequest


def rate_allowed(request: HttpRequest, *, action: str, key: str | None = None, user=None) -> bool:
    """Count one use of `action`; False once its limit is reached. GETs count too
    (allauth's public helper skips them), for pages like the channel check."""
    usage = _allauth.consume(
        request=request,
        app="allauth.account",
        action=action,
        key=key,
        user=user,
        limit_get=True,
    )
    return usage is not None
