"""Writes to accounts; every function checks its input and runs in one transaction."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Role, User
from accounts.selectors import user_role_names_forget


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
