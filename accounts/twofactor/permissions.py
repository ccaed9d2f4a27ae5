"""The staff 2FA rule where the middleware cannot see: API requests signed with a token
(DRF authenticates them inside the view) and websockets (the agent's chat console)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts.twofactor.rules import has_active_factor, missing_factor


def staff_area_closed_to(user) -> bool:
    """True when `user` may not use a staff area (console, API, the agent's socket) yet:
    staff without an active factor while the rule is on, or anyone who must re-enrol."""
    return missing_factor(user, staff_area=True) is not None


class StaffUseTwoFactor(BasePermission):
    message = _("Staff must use two-factor authentication before using the API.")
    code = "mfa_required"  # as the middleware answers a session's request (core.api's shape)

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not settings.BEACON_STAFF_MFA_REQUIRED or not user or not user.is_authenticated:
            return True
        return not user.is_staff or has_active_factor(user)
