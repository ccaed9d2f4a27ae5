"""allauth.mfa's signals written into the security audit trail.

Thin on purpose: each receiver records one SecurityEvent; adding a second factor also
ends an enforced re-enrolment (after an unfreeze or a 2FA reset).
"""

from __future__ import annotations

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.dispatch import receiver

from accounts.audit import security_event_record
from accounts.models import SecurityEvent, User


def _user(user) -> User | None:
    return user if getattr(user, "pk", None) else None


@receiver(mfa_signals.authenticator_added, dispatch_uid="twofactor.added")
def record_added(sender, *, request, user, authenticator, **kwargs) -> None:
    user = _user(user) or authenticator.user
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        security_event_record(
            user=user, kind=SecurityEvent.Kind.RECOVERY_CODES, request=request, type="created"
        )
        return
    security_event_record(
        user=user, kind=SecurityEvent.Kind.MFA_ADDED, request=request, type=authenticator.type
    )
    if user.mfa_reenrolment_required:
        User.objects.filter(pk=user.pk).update(mfa_reenrolment_required=False)
        user.mfa_reenrolment_required = False


@receiver(mfa_signals.authenticator_removed, dispatch_uid="twofactor.removed")
def record_removed(sender, *, request, user, authenticator, **kwargs) -> None:
    security_event_record(
        user=_user(user) or authenticator.user,
        kind=SecurityEvent.Kind.MFA_REMOVED,
        request=request,
        type=authenticator.type,
    )


@receiver(mfa_signals.authenticator_reset, dispatch_uid="twofactor.reset")
def record_reset(sender, *, request, user, authenticator, **kwargs) -> None:
    security_event_record(
        user=_user(user) or authenticator.user,
        kind=SecurityEvent.Kind.RECOVERY_CODES,
        request=request,
        type="regenerated",
    )


@receiver(mfa_signals.authentication_failed, dispatch_uid="twofactor.failed")
def record_failed(sender, *, request, user, authenticator, **kwargs) -> None:
    security_event_record(
        user=user,
        kind=SecurityEvent.Kind.MFA_FAILED,
        request=request,
        type=authenticator.type,
        reauthentication=bool(kwargs.get("reauthentication")),
    )
