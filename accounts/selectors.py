from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role, User

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
