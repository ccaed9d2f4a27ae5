"""Changes a customer makes on the security page; each records an event and, where it
matters, emails an alert in the same transaction (the outbox sends it after commit)."""

from __future__ import annotations

from allauth.usersessions.internal.flows.sessions import end_other_sessions
from allauth.usersessions.models import UserSession
from django.db import transaction
from django.http import HttpRequest

from accounts.audit import security_event_record
from accounts.models import SecurityEvent, User
from accounts.security.notices import code_set_alert, phone_changed_alert
from accounts.security.rules import code_clean, phone_clean, phone_masked


@transaction.atomic
def anti_phishing_code_set(*, user: User, code: str, request: HttpRequest) -> SecurityEvent:
    """Set or change the code every Beacon email shows; the caller re-authenticated."""
    code = code_clean(code)
    replaced = bool(user.anti_phishing_code)
    user.anti_phishing_code = code
    user.full_clean(exclude=["password"])
    user.save(update_fields=["anti_phishing_code"])
    # The code itself stays out of the trail: staff must not be able to read it.
    event = security_event_record(
        user=user, kind=SecurityEvent.Kind.CODE_SET, request=request, replaced=replaced
    )
    code_set_alert(user=user, event=event)
    return event


@transaction.atomic
def phone_set(*, user: User, phone: str, request: HttpRequest) -> SecurityEvent | None:
    """Change the phone number (E.164); None when it is the number already on file."""
    phone = phone_clean(phone)
    old = user.phone
    if phone == old:
        return None
    user.phone = phone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["phone"])
    old_masked, new_masked = phone_masked(old), phone_masked(phone)
    event = security_event_record(
        user=user,
        kind=SecurityEvent.Kind.PHONE_CHANGED,
        request=request,
        old_phone=old_masked,
        new_phone=new_masked,
    )
    phone_changed_alert(user=user, event=event, old_phone=old_masked, new_phone=new_masked)
    return event


@transaction.atomic
def other_sessions_end(*, user: User, request: HttpRequest) -> SecurityEvent:
    """Sign out every session of `user` but this one (allauth's usersessions flow)."""
    ended = sum(
        1 for session in UserSession.objects.purge_and_list(user) if not session.is_current()
    )
    end_other_sessions(request, user)
    return security_event_record(
        user=user, kind=SecurityEvent.Kind.SESSIONS_ENDED, request=request, ended=ended
    )
