"""The staff 2FA rule for API requests signed with a token, which the middleware cannot
see (DRF authenticates tokens inside the view)."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts.twofactor.middleware import ACTIVE_TYPES


class StaffUseTwoFactor(BasePermission):
    message = _("Staff must use two-factor authentication before using the API.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not settings.BEACON_STAFF_MFA_REQUIRED or not user or not user.is_authenticated:
            return True
        return not user.is_staff or is_mfa_enabled(user, ACTIVE_TYPES)
