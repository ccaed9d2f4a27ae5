from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.db.models import Max, QuerySet

from accounts.models import AccountFreeze, ReviewStatus, Role, User
from notifications.models import BouncingAddress

_CACHE_ATTRIBUTE = "_beacon_role_names"


def user_role_names(*, user: User) -> frozenset[str]:
    """The user's role groups, read once per user object (a request's user, say)."""
    names = getattr(user, _CACHE_ATTRIBUTE, None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _CACHE_ATTRIBUTE, names)
    return names


def user_role_names_forget(*, user: User) -> None:
    """Call after changing a user's groups."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def user_has_role(*, user: User, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return role.value in user_role_names(user=user)


def users_with_role(*, role: Role) -> QuerySet[User]:
    """Active holders of a role (e.g. every supervisor, to tell them of an SLA breach)."""
    return User.objects.filter(groups__name=role.value, is_active=True).order_by("id")


@dataclass(frozen=True)
class AccountSecurity:
    """What support needs to know about an account at a glance (the console's panel)."""

    freeze: AccountFreeze | None  # the active freeze, if any
    mfa_enabled: bool
    kyc_level: int  # highest approved KYC level, 0 for none
    email_bounce: BouncingAddress | None = None  # their address bounces: mail is not sent


def account_security(*, user: User) -> AccountSecurity:
    approved = user.kyc_submissions.filter(status=ReviewStatus.APPROVED)
    return AccountSecurity(
        freeze=user.freezes.filter(lifted_at__isnull=True).select_related("actor").first(),
        # allauth's model: 2FA is on while an authenticator exists.
        mfa_enabled=Authenticator.objects.filter(user=user).exists(),
        kyc_level=approved.aggregate(level=Max("level"))["level"] or 0,
        email_bounce=BouncingAddress.objects.filter(email=user.email.lower()).first(),
    )


def account_for_verified_email(*, email: str) -> User | None:
    """The active or frozen account that proved it owns `email` (allauth's verified address)."""
    from allauth.account.models import EmailAddress

    row = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    return row.user if row is not None else None
