"""Reads for the login history, the security section and the reviewers' customer trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from allauth.usersessions.models import UserSession
from django.db.models import Q, QuerySet

from accounts.models import SecurityEvent, User
from accounts.security.user_agents import user_agent_label

SIGN_IN_KINDS = (SecurityEvent.Kind.SIGN_IN, SecurityEvent.Kind.SIGN_IN_FAILED)
SEARCH_MAX = 254


def security_events_for_user(*, user: User) -> QuerySet[SecurityEvent]:
    """The person's whole audit trail, newest first; only ever their own rows."""
    return (
        SecurityEvent.objects.filter(user=user)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def sign_ins_recent(*, user: User, limit: int = 5) -> list[SecurityEvent]:
    return list(security_events_for_user(user=user).filter(kind__in=SIGN_IN_KINDS)[:limit])


@dataclass(frozen=True)
class SessionRow:
    ip: str
    device: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


def sessions_active(*, user: User) -> list[SessionRow]:
    """Signed-in browsers, this one first (allauth drops the ones that have ended)."""
    rows = [
        SessionRow(
            ip=session.ip,
            device=user_agent_label(session.user_agent),
            created_at=session.created_at,
            last_seen_at=session.last_seen_at,
            current=session.is_current(),
        )
        for session in UserSession.objects.purge_and_list(user)
    ]
    return sorted(rows, key=lambda row: (not row.current, -row.last_seen_at.timestamp()))


def customer_find(*, query: str) -> User | None:
    """A reviewer's search: a UID (digits) or an email address, exactly."""
    query = (query or "").strip()
    if not query or len(query) > SEARCH_MAX:
        return None
    match = Q(email__iexact=query)
    if query.isdigit() and len(query) <= 12:
        match |= Q(uid=int(query))
    return User.objects.filter(match).first()


def customer_by_uid(*, uid: int) -> User | None:
    return User.objects.filter(uid=uid).first()


@dataclass(frozen=True)
class EventRow:
    """One line of the trail as a page shows it: the event and its browser's short name."""

    event: SecurityEvent
    device: str


def event_rows(events) -> list[EventRow]:
    return [EventRow(event=event, device=user_agent_label(event.user_agent)) for event in events]
