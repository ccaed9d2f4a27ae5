"""Who must set up two-factor authentication before going further: the one rule the
pages' middleware, the API's permission and every websocket apply.

- Anyone whose authenticators were removed by an unfreeze or a 2FA reset
  (user.mfa_reenrolment_required) must set one up again before anything else.
- Staff (is_staff) without an active authenticator (TOTP or passkey) may not use a staff
  area (the console, the admin, the API and their sockets) while
  settings.BEACON_STAFF_MFA_REQUIRED is on.
"""

from __future__ import annotations

import enum
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings

ACTIVE_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
# A console page asked the database five or six times whether its agent has a factor
# (the middleware, the console's door, each visibility rule: issue 19). The answer is
# kept on the user object for a second: once per request, while a socket's later checks
# on its long-lived user object still see a factor removed since.
FACTOR_MEMORY_SECONDS = 1.0
_MEMORY = "_beacon_active_factor"


def has_active_factor(user) -> bool:
    """Whether `user` has an active authenticator (TOTP or passkey)."""
    now = time.monotonic()
    kept = getattr(user, _MEMORY, None)
    if kept is not None and now - kept[0] < FACTOR_MEMORY_SECONDS:
        return kept[1]
    answer = is_mfa_enabled(user, ACTIVE_TYPES)
    setattr(user, _MEMORY, (now, answer))
    return answer


class MissingFactor(enum.Enum):
    REENROLMENT = "reenrolment"  # a factor was removed: set one up again
    STAFF = "staff"  # staff in a staff area without one


def missing_factor(user, *, staff_area: bool) -> MissingFactor | None:
    """Which rule keeps a signed-in `user` out until they set up a factor; None if none."""
    if not user or not user.is_authenticated:
        return None
    needs_one = user.mfa_reenrolment_required or (
        staff_area and settings.BEACON_STAFF_MFA_REQUIRED and user.is_staff
    )
    if not needs_one or has_active_factor(user):
        return None
    return MissingFactor.REENROLMENT if user.mfa_reenrolment_required else MissingFactor.STAFF
