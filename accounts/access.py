"""Who may be in an area of the site: one answer for its pages and its websockets.

A page asks through the middleware and its decorator, a socket on connect and again
whenever the account changes (accounts.sockets), so a socket never keeps someone the
matching page would turn away: signed out, frozen or deactivated, without the 2FA the
area needs (accounts.twofactor.rules), or without the area's role.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from accounts.twofactor.rules import missing_factor


class Refusal(enum.Enum):
    SIGNED_OUT = "signed_out"  # pages: the sign-in page
    INACTIVE = "inactive"  # frozen or deactivated; a page drops such a session at once
    MFA_SETUP = "mfa_setup"  # pages: the 2FA set-up page
    FORBIDDEN = "forbidden"  # signed in, but not in the area's role: 403


@dataclass(frozen=True)
class Area:
    """What an area asks of whoever comes in.

    `sign_in`: anonymous visitors are refused (the customer chat lets them in: its
    conversation then belongs to their session). `staff_area`: the staff 2FA rule applies
    (the console, the admin, the API). `role`: who may be here at all, e.g.
    tickets.permissions.may_use_console.
    """

    sign_in: bool = True
    staff_area: bool = False
    role: Callable[[object], bool] | None = None


SIGNED_IN = Area()
OPEN_TO_ALL = Area(sign_in=False)


def access_refusal(user, area: Area) -> Refusal | None:
    """Why `user` may not be in `area` now; None when they may."""
    if user is None or not user.is_authenticated:
        return Refusal.SIGNED_OUT if area.sign_in else None
    if not user.is_active:
        return Refusal.INACTIVE
    if missing_factor(user, staff_area=area.staff_area) is not None:
        return Refusal.MFA_SETUP
    if area.role is not None and not area.role(user):
        return Refusal.FORBIDDEN
    return None
