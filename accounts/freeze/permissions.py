"""Who may freeze a customer's account on their behalf: agents, supervisors, reviewers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import Role, User
from accounts.selectors import user_has_role

FREEZING_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.SECURITY_REVIEWER)


def can_freeze_for_customer(user: User) -> bool:
    return user.is_staff and any(user_has_role(user=user, role=role) for role in FREEZING_ROLES)


def freezer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff with a freezing role only; anyone else signed in gets a 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_freeze_for_customer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
