"""Reads for two-factor: a person's status, their open reset, the reviewers' queue."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.db.models import QuerySet

from accounts.models import KycSubmission, MfaResetRequest, ReviewStatus, User

OPEN_STATUSES = (MfaResetRequest.Status.PENDING, MfaResetRequest.Status.APPROVED)


@dataclass(frozen=True)
class TwoFactorStatus:
    totp: bool
    passkeys: int
    recovery_codes_left: int | None  # None: no recovery codes were made

    @property
    def enabled(self) -> bool:
        return self.totp or self.passkeys > 0


def twofactor_status_for(*, user: User) -> TwoFactorStatus:
    totp, passkeys, codes_left = False, 0, None
    for authenticator in Authenticator.objects.filter(user=user):
        if authenticator.type == Authenticator.Type.TOTP:
            totp = True
        elif authenticator.type == Authenticator.Type.WEBAUTHN:
            passkeys += 1
        elif authenticator.type == Authenticator.Type.RECOVERY_CODES:
            codes_left = len(RecoveryCodes(authenticator).get_unused_codes())
    return TwoFactorStatus(totp=totp, passkeys=passkeys, recovery_codes_left=codes_left)


def mfa_reset_open_for(*, user: User) -> MfaResetRequest | None:
    """The person's reset under review or waiting for its cool-down, if any."""
    return MfaResetRequest.objects.filter(user=user, status__in=OPEN_STATUSES).first()


def mfa_reset_queue() -> QuerySet[MfaResetRequest]:
    """For reviewers: the requests to decide, oldest first, then the approved ones waiting."""
    return (
        MfaResetRequest.objects.filter(status__in=OPEN_STATUSES)
        .select_related("user", "reviewer")
        .order_by("-status", "created_at", "id")  # "pending" before "approved"
    )


def mfa_reset_for_reviewer(*, reset_id: int) -> MfaResetRequest | None:
    return (
        MfaResetRequest.objects.select_related("user", "selfie", "reviewer")
        .filter(id=reset_id)
        .first()
    )


def kyc_record_for(user: User) -> KycSubmission | None:
    """The customer's verified identity, from the KYC package when it provides it."""
    try:
        from accounts.kyc.selectors import kyc_record_for as kyc_package_record_for
    except ImportError:  # the KYC package not yet there: the newest approved submission
        return (
            KycSubmission.objects.filter(user=user, status=ReviewStatus.APPROVED)
            .order_by("-reviewed_at", "-id")
            .first()
        )
    return kyc_package_record_for(user)
