"""accounts' models; import from here (`from accounts.models import User, Role`)."""

from accounts.models.notifications import Notification, NotificationPreference
from accounts.models.users import (
    UID_MAX,
    UID_MIN,
    Role,
    User,
    UserManager,
    new_public_uid,
    validate_time_zone,
)

__all__ = [
    "UID_MAX",
    "UID_MIN",
    "Notification",
    "NotificationPreference",
    "Role",
    "User",
    "UserManager",
    "new_public_uid",
    "validate_time_zone",
]
