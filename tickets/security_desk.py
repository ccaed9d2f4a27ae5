"""accounts' security events become tickets: a freeze opens an urgent security ticket, a
KYC submission, unfreeze appeal or 2FA reset opens a review ticket with its own SLA, and
the reviewers' decision solves it. accounts announces; this module listens (DESIGN.md).

The signals come from accounts' effect outbox (accounts/effects.py), inside the
transaction that marks the effect done: these receivers write their rows there and let
any error propagate, which rolls them back and leaves the effect pending for a retry
(never catch and carry on: that would mark it done without its ticket). An effect may
be recorded twice for one thing, so each receiver must be safe to run again: tickets are
found by their reference (security_ticket_open returns the open one).
"""

from __future__ import annotations

import zoneinfo

from django.dispatch import receiver
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts import signals
from tickets.models import Ticket
from tickets.services.security import security_ticket_close, security_ticket_open

# kind of review -> (ticket type, priority, subject)
REVIEWS = {
    "kyc": ("kyc-review", Ticket.Priority.NORMAL, "KYC review"),
    "appeal": ("unfreeze-appeal", Ticket.Priority.HIGH, "Unfreeze appeal"),
    "mfa_reset": ("2fa-reset", Ticket.Priority.NORMAL, "Two-factor reset"),
}


def _reference(kind: str, subject) -> str:
    return f"{kind}:{subject.pk}"


@receiver(signals.account_frozen, dispatch_uid="tickets.security_desk.frozen")
def open_freeze_ticket(sender, *, user, freeze, **kwargs) -> None:
    who = freeze.actor.email if freeze.actor_id else _("the customer")
    note = (
        f"Account frozen via {freeze.get_source_display()} by {who} "
        f"at {freeze.created_at:%Y-%m-%d %H:%M} UTC.\nReason: {freeze.reason or '-'}"
    )
    zone = zoneinfo.ZoneInfo(user.time_zone or "UTC")
    with translation.override(user.language or "en"), timezone.override(zone):
        public_body = _(
            "Your account was frozen on %(when)s to protect it. Sign-in, API keys and "
            "withdrawals are blocked. Our security team will look at what happened; to "
            "unfreeze it, use the appeal link in the email we sent you."
        ) % {"when": formats.date_format(timezone.localtime(freeze.created_at), "DATETIME_FORMAT")}
        subject = _("Account frozen (UID %(uid)s)") % {"uid": user.uid}
    security_ticket_open(
        requester=user,
        type_slug="account-security",
        reference=_reference("freeze", freeze),
        subject=subject,
        note=note,
        priority=Ticket.Priority.URGENT,
        public_body=public_body,
    )


@receiver(signals.account_unfrozen, dispatch_uid="tickets.security_desk.unfrozen")
def close_freeze_ticket(sender, *, user, freeze, **kwargs) -> None:
    security_ticket_close(
        reference=_reference("freeze", freeze),
        note="The freeze was lifted after an approved appeal.",
    )


@receiver(signals.security_review_requested, dispatch_uid="tickets.security_desk.requested")
def open_review_ticket(sender, *, kind, subject, user, url="", **kwargs) -> None:
    type_slug, priority, title = REVIEWS[kind]
    security_ticket_open(
        requester=user,
        type_slug=type_slug,
        reference=_reference(kind, subject),
        subject=f"{title} (UID {user.uid})",
        note=f"Review it on the security desk: {url}" if url else "Review it on the security desk.",
        priority=priority,
    )


@receiver(signals.security_review_decided, dispatch_uid="tickets.security_desk.decided")
def close_review_ticket(sender, *, kind, subject, outcome, reason="", **kwargs) -> None:
    if kind not in REVIEWS:
        return
    note = f"Decision: {outcome}." + (f"\nReason: {reason}" if reason else "")
    security_ticket_close(reference=_reference(kind, subject), note=note)
