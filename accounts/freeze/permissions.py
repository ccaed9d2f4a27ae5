"""Who may freeze whom on another person's behalf.

Agents, supervisors and reviewers freeze customers (after a phone check). A staff
account is another matter: an unfreeze takes two reviewers, so a freeze of staff by a
colleague could lock the desk out of its own work. Freezing staff is for administrators
(the admin role, or a superuser) only. Anyone may freeze their own account.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import user_has_role, user_role_names
from core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

FREEZING_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.SECURITY_REVIEWER, Role.ADMIN)
STAFF_ROLES = frozenset(role.value for role in Role if role != Role.CUSTOMER)


class FreezeRefused(ApplicationError):
    """The actor may not freeze this account; nothing was written."""

    status_code = 403


def can_freeze_for_customer(user: User) -> bool:
    return user.is_staff and any(user_has_role(user=user, role=role) for role in FREEZING_ROLES)


def is_staff_account(user: User) -> bool:
    """Anyone with a way into the console or the admin, by flag or by role."""
    return user.is_staff or user.is_superuser or bool(STAFF_ROLES & user_role_names(user=user))


def freeze_check(*, actor: User | None, user: User) -> None:
    """Raise FreezeRefused unless `actor` may freeze `user`; None or `user` is the person."""
    if actor is None or actor.pk == user.pk:
        return
    if not can_freeze_for_customer(actor):
        raise FreezeRefused(_("You may not freeze accounts."), code="forbidden")
    if is_staff_account(user) and not user_has_role(user=actor, role=Role.ADMIN):
        # One colleague trying to lock another out of the desk is what security reviews
        # look for: the attempt is logged, whoever it was and whatever came of it.
        logger.warning(
            "freeze of staff account %s by %s (not an administrator) refused",
            user.uid,
            actor.uid,
        )
        raise FreezeRefused(
            _(
                "This is a staff account. Only an administrator may freeze it; "
                "ask one if the account is at risk."
            ),
            code="staff_account",
        )


def freezer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff with a freezing role only; anyone else signed in gets a 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_freeze_for_customer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
