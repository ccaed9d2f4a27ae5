"""accounts' models; import from here (`from accounts.models import User, Role`)."""

from accounts.models.effects import AccountEffect
from accounts.models.identity import (
    DocumentView,
    IdentityDocument,
    KycLevel,
    KycSubmission,
    ReviewStatus,
)
from accounts.models.reviews import AppealReview, MfaResetRequest, UnfreezeAppeal
from accounts.models.security import AccountFreeze, KnownDevice, OneTimeLink, SecurityEvent
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
    "AccountEffect",
    "AccountFreeze",
    "AppealReview",
    "DocumentView",
    "IdentityDocument",
    "KnownDevice",
    "KycLevel",
    "KycSubmission",
    "MfaResetRequest",
    "OneTimeLink",
    "ReviewStatus",
    "Role",
    "SecurityEvent",
    "UnfreezeAppeal",
    "User",
    "UserManager",
    "new_public_uid",
    "validate_time_zone",
]
