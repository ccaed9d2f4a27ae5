"""The pages' side of the two-factor rule (accounts.twofactor.rules, which the API and
the websockets apply too).

- Staff (is_staff) without an active authenticator (TOTP or passkey) may not open the
  console, the admin or the API while settings.BEACON_STAFF_MFA_REQUIRED is on.
- Anyone whose authenticators were removed by an unfreeze or a 2FA reset
  (user.mfa_reenrolment_required) may only reach the pages that set one up again, until
  they have.

Pages are redirected to the TOTP activation page with a message; the API gets a 403 JSON
answer in the shape of core.api's errors. Sign-out, the language switch and static files
always stay reachable.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.twofactor.rules import ACTIVE_TYPES, MissingFactor, missing_factor

__all__ = ["ACTIVE_TYPES", "STAFF_ONLY_PREFIXES", "TwoFactorRequiredMiddleware"]

STAFF_ONLY_PREFIXES = ("/console/", "/admin/", "/api/")
API_PREFIX = "/api/"
# Reachable during a re-enrolment: setting up a factor (with the re-authentication
# allauth may ask for first), signing out, changing language.
ENROLMENT_URL_NAMES = (
    "mfa_index",
    "mfa_activate_totp",
    "mfa_add_webauthn",
    "mfa_reauthenticate_webauthn",
    "mfa_reauthenticate",
    "account_reauthenticate",
    "account_logout",
    "accounts:language-set",
)
ALWAYS_OPEN_PREFIXES = ("/i18n/", "/healthz", "/ping")


@cache
def _enrolment_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in ENROLMENT_URL_NAMES)


def _is_always_open(path: str) -> bool:
    return path.startswith((settings.STATIC_URL, *ALWAYS_OPEN_PREFIXES))


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or _is_always_open(request.path):
            return None
        if request.path in _enrolment_paths():
            return None
        missing = missing_factor(user, staff_area=request.path.startswith(STAFF_ONLY_PREFIXES))
        if missing is MissingFactor.REENROLMENT:
            # (With a factor already in place the rule is met; allauth would send the
            # activation page on to the deactivation page, and round again.)
            return _refuse(
                request,
                _(
                    "Your two-factor authentication was removed. Set it up again "
                    "before you continue."
                ),
            )
        if missing is MissingFactor.STAFF:
            return _refuse(
                request,
                _(
                    "Staff must use two-factor authentication. Set up an authenticator "
                    "app before you open the console, the admin or the API."
                ),
            )
        return None


def _refuse(request: HttpRequest, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"message": message, "code": "mfa_required", "extra": {}}, status=403)
    messages.warning(request, message)
    return HttpResponseRedirect(reverse("mfa_activate_totp"))
