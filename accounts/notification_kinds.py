"""The notification kinds of accounts, found by the notifications app when Django is
ready (notifications.registry.kinds_discover). Each part keeps its kinds beside the
context builders and the functions that send them."""

from accounts.freeze import notices as freeze
from accounts.kyc import notices as kyc
from accounts.security import notices as security
from accounts.twofactor import notices as twofactor

KINDS = [*freeze.KINDS, *kyc.KINDS, *security.KINDS, *twofactor.KINDS]
