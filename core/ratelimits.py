"""Beacon's own rate limits, counted by allauth's limiter so every limit lives in one
setting (ACCOUNT_RATE_LIMITS) and one cache, beside sign-in's and password reset's."""

from __future__ import annotations

from collections.abc import Callable

from allauth.core.internal import ratelimit as _allauth
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


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


# Form errors that mean "refused by a rate limit": allauth's own two, and the 2FA step's
# lock-out (accounts.twofactor.lockout), which says allauth's in its own words.
RATE_LIMIT_ERROR_CODES = frozenset({"too_many_login_attempts", "rate_limited", "mfa_locked"})


class RateLimitStatusMiddleware:
    """A page whose form a rate limit refused answers 429, as the README promises.

    allauth refuses a locked-out sign-in (and a locked 2FA step, a code asked for too
    often) with a form error and re-renders the page with 200; the page and its message
    stay, only the status changes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_template_response(
        self, request: HttpRequest, response: TemplateResponse
    ) -> TemplateResponse:
        if response.status_code == 200 and any(
            _rate_limited(form) for form in (response.context_data or {}).values()
        ):
            response.status_code = 429
        return response


def _rate_limited(form: object) -> bool:
    if not isinstance(form, BaseForm) or not form.is_bound:
        return False
    errors = form.errors.as_data().values()
    return any(error.code in RATE_LIMIT_ERROR_CODES for field in errors for error in field)
