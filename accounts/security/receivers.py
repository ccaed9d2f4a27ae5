"""Hooks into allauth's and Django's account signals; imported once from AccountsConfig.ready.

Thin: each receiver calls one service. Also registers this package's notification kinds.
"""

from __future__ import annotations

from allauth.account import signals as allauth_signals
from django.contrib.auth import signals as auth_signals

from accounts.audit import security_event_record
from accounts.models import SecurityEvent
from accounts.security.sign_ins import sign_in_failed_record, sign_in_record, sign_out_record


def _signed_in(sender, request, user, **kwargs) -> None:
    sign_in_record(user=user, request=request)


def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already replaced the password with stars; we read only the address.
    sign_in_failed_record(credentials=credentials, request=request)


def _signed_out(sender, request, user, **kwargs) -> None:
    sign_out_record(user=user, request=request)


def _password_changed(sender, request, user, **kwargs) -> None:
    security_event_record(user=user, kind=SecurityEvent.Kind.PASSWORD_CHANGED, request=request)


def _password_reset(sender, request, user, **kwargs) -> None:
    security_event_record(user=user, kind=SecurityEvent.Kind.PASSWORD_RESET, request=request)


def _email_changed(sender, request, user, from_email_address, to_email_address, **kwargs) -> None:
    security_event_record(
        user=user,
        kind=SecurityEvent.Kind.EMAIL_CHANGED,
        request=request,
        old_email=from_email_address.email if from_email_address else "",
        new_email=to_email_address.email,
    )


allauth_signals.user_logged_in.connect(_signed_in, dispatch_uid="beacon.security.signed_in")
auth_signals.user_login_failed.connect(_sign_in_failed, dispatch_uid="beacon.security.failed")
allauth_signals.user_logged_out.connect(_signed_out, dispatch_uid="beacon.security.signed_out")
allauth_signals.password_changed.connect(
    _password_changed, dispatch_uid="beacon.security.password_changed"
)
allauth_signals.password_reset.connect(
    _password_reset, dispatch_uid="beacon.security.password_reset"
)
allauth_signals.email_changed.connect(_email_changed, dispatch_uid="beacon.security.email_changed")
