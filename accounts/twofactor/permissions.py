"""The staff 2FA rule where the middleware cannot see: API requests signed with a token
(DRF authenticates them inside the view) and websockets (the agent's chat console)."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts.twofactor.middleware import ACTIVE_TYPES


def staff_area_closed_to(user) -> bool:
    """True when `user` may not use a staff area (console, API, the agent's socket) yet:
    staff without an active factor while the rule is on, or anyone who must re-enrol."""
    if not user or not user.is_authenticated:
        return False
    if is_mfa_enabled(user, ACTIVE_TYPES):
        return False
    return user.mfa_reenrolment_required or (settings.BEACON_STAFF_MFA_REQUIRED and user.is_staff)


class StaffUseTwoFactor(BasePermission):
    message = _("Staff must use two-factor authentication before using the API.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not settings.BEACON_STAFF_MFA_REQUIRED or not user or not user.is_authenticated:
            return True
        return not user.is_staff or is_mfa_enabled(user, ACTIVE_TYPES)
