"""Who may open the security desk's pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import Role, User
from accounts.selectors import user_has_role


def is_security_reviewer(user: User) -> bool:
    return user_has_role(user=user, role=Role.SECURITY_REVIEWER)


def reviewer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in security reviewers (and superusers) only; anyone else gets a 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_security_reviewer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
