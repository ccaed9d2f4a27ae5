"""What accounts tells the apps above it (tickets, livechat).

accounts may not import them (DESIGN.md: the arrow points one way), so a freeze or a
request for review is announced here and `tickets.security_desk` turns it into a ticket.
These consequences must not be lost, so nobody sends these signals directly: the
services call `accounts.effects.send_durably`, which records the signal in the change's
transaction, and a Celery task sends it (see accounts/effects.py).
"""

from __future__ import annotations

from collections.abc import Callable

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


def _freeze_key(*, freeze, **_: object) -> str:
    return f"freeze:{freeze.pk}"


def _review_key(*, kind: str, subject, **_: object) -> str:
    return f"{kind}:{subject.pk}"


# The signals accounts.effects may record, by the name stored in the row, with what each
# is about: the effects of one subject run in the order they were recorded (an unfreeze
# never before the freeze whose ticket it closes, a decision never before its request).
DURABLE: dict[str, tuple[Signal, Callable[..., str]]] = {
    "account_frozen": (account_frozen, _freeze_key),
    "account_unfrozen": (account_unfrozen, _freeze_key),
    "security_review_requested": (security_review_requested, _review_key),
    "security_review_decided": (security_review_decided, _review_key),
}


def durable_name(signal: Signal) -> str:
    for name, (known, _key) in DURABLE.items():
        if known is signal:
            return name
    raise ValueError(f"{signal!r} is not one of accounts.signals.DURABLE.")
