"""What accounts tells the apps above it (tickets, livechat), always after commit.

accounts may not import them (DESIGN.md: the arrow points one way), so a freeze or a
request for review is announced here and `tickets.security_desk` turns it into a ticket.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# user, freeze (AccountFreeze)
account_frozen = Signal()
# user, freeze (the lifted AccountFreeze)
account_unfrozen = Signal()
# kind ("kyc", "appeal", "mfa_reset"), subject (the KycSubmission, UnfreezeAppeal or
# MfaResetRequest), user (the customer), url (the review page)
security_review_requested = Signal()
# kind, subject, user, outcome ("approved", "rejected", "cancelled", "completed"), reason
security_review_decided = Signal()


def send_on_commit(signal: Signal, **kwargs: object) -> None:
    """Send once the current transaction commits; nothing is sent on rollback."""
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs), robust=True)
