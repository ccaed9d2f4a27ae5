from __future__ import annotations

from accounts.models import Role, User


def user_has_role(*, user: User, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(group.name == role.value for group in user.groups.all())
