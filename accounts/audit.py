"""The security audit trail: one call records what happened, to whom, by whom, from where."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import SecurityEvent, User

USER_AGENT_MAX = 300


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as our proxies report it (core.client_ip, through the adapter
    allauth's records use too)."""
    if request is None:
        return None
    try:
        return get_adapter().get_client_ip(request)
    except PermissionDenied:
        return None


def client_user_agent(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]


def security_event_record(
    *,
    user: User,
    kind: SecurityEvent.Kind,
    request: HttpRequest | None = None,
    actor: User | None = None,
    **detail: Any,
) -> SecurityEvent:
    """Add a line to `user`'s trail; `actor` when someone else (staff) did it.

    The customer reads their own trail: a staff member's address and browser stay off it
    (staff-only records such as DocumentView keep them).
    """
    by_staff = actor is not None and actor.pk != user.pk
    return SecurityEvent.objects.create(
        user=user,
        actor=actor if by_staff else None,
        kind=kind,
        ip=None if by_staff else client_ip(request),
        user_agent="" if by_staff else client_user_agent(request),
        detail=detail,
    )
