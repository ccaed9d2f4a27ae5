"""Writes to accounts; every function checks its input and runs in one transaction."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from accounts.models import Role, User
from accounts.models.users import new_public_uid
from accounts.selectors import user_role_names_forget
from core.inserts import insert_unless_taken


@transaction.atomic
def user_preferences_update(
    *, user: User, language: str | None = None, time_zone: str | None = None
) -> User:
    """Save the language and/or time zone a signed-in user chose for themselves."""
    if language is not None:
        user.language = language
    if time_zone is not None:
        user.time_zone = time_zone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["language", "time_zone"])
    return user


@transaction.atomic
def user_role_grant(*, user: User, role: Role) -> None:
    """Put the user in the role's group; staff roles also open the admin site."""
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    user_role_names_forget(user=user)
    if role != Role.CUSTOMER and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def contact_account(*, email: str, language: str = "en") -> User:
    """The account for someone who reached support only by giving an email address.

    The existing account with that address (any case), else a new one with no password
    and no verified address: the owner can claim it later with "forgot password". Used by
    the email channel and by anonymous chat visitors; what they file stays marked as
    coming from an unverified sender.
    """
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    return _new_contact(email, language)


UID_DRAWS = 3  # a public UID drawn twice is one in tens of millions: three draws suffice


def _new_contact(email: str, language: str) -> User:
    """create_user's account, with the fields checked but not the unique email and UID nor
    the UID's range: the database enforces them (three queries a new address, on every
    first email from someone). One `INSERT … ON CONFLICT DO NOTHING` (core.inserts), no
    savepoint: when nothing is stored, a racing twin made the account first, or the UID
    was taken and another is drawn."""
    user = User(email=User.objects.normalize_email(email).lower(), language=language)
    user.set_unusable_password()
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    for _draw in range(UID_DRAWS):
        if insert_unless_taken([user], key="email"):
            return user
        twin = User.objects.filter(email__iexact=email).first()
        if twin is not None:
            return twin
        user.uid = new_public_uid()
    raise IntegrityError(f"no free public UID in {UID_DRAWS} draws")
