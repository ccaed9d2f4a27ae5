"""Writes of a two-factor reset: request, cancel, decide, complete.

A person who lost their 2FA device asks for a reset (with their password, identity
details and a fresh selfie); a security reviewer checks it against the KYC record and
approves or rejects it; after the cool-down (48 hours from the request) a periodic task
removes the authenticators and the person must enrol again. Until then the emailed link
cancels it: a thief who has the password cannot quietly take the 2FA away.
"""

from __future__ import annotations

import datetime as dt
import logging

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import signals
from accounts.audit import security_event_record
from accounts.documents import document_store
from accounts.effects import send_durably
from accounts.links import link_issue, link_redeem
from accounts.models import IdentityDocument, MfaResetRequest, OneTimeLink, SecurityEvent, User
from accounts.twofactor import notices
from accounts.twofactor.selectors import OPEN_STATUSES, mfa_reset_open_for, twofactor_status_for
from core.exceptions import ApplicationError
from core.text import plain_text

logger = logging.getLogger(__name__)

KIND = "mfa_reset"  # the review kind in accounts.signals
COMPLETE_BATCH = 100  # per run of the sweep; each is a few small writes


class ResetConflict(ApplicationError):
    status_code = 409


def cooldown() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "BEACON_MFA_RESET_COOLDOWN_HOURS", 48))


def _review_url(reset: MfaResetRequest) -> str:
    return settings.SITE_URL + reverse("security_desk:twofactor-reset", args=[reset.id])


@transaction.atomic
def mfa_reset_request_create(
    *,
    user: User,
    legal_name: str,
    birth_date: dt.date,
    description: str,
    selfie: UploadedFile,
    request: HttpRequest | None = None,
) -> MfaResetRequest:
    """Open a reset for `user` (whose password the caller has checked)."""
    if not twofactor_status_for(user=user).enabled:
        raise ResetConflict(
            _(
                "This account has no two-factor authentication to reset: sign in with your password."
            ),
            code="no_mfa",
        )
    User.objects.select_for_update().filter(pk=user.pk).first()  # one request at a time
    if mfa_reset_open_for(user=user) is not None:
        raise ResetConflict(
            _(
                "A two-factor reset is already open for this account. The email we sent "
                "when it was requested has a link to cancel it."
            ),
            code="already_open",
        )
    now = timezone.now()
    reset = MfaResetRequest(
        user=user,
        legal_name=plain_text(legal_name).strip(),
        birth_date=birth_date,
        description=description.strip(),
        selfie=document_store(user=user, kind=IdentityDocument.Kind.SELFIE, upload=selfie),
        created_at=now,
        cooldown_ends_at=now + cooldown(),
    )
    reset.full_clean()
    try:
        with transaction.atomic():
            reset.save()
    except IntegrityError:  # a second request raced past the check (mfa_reset_one_open)
        raise ResetConflict(
            _("A two-factor reset is already open for this account."), code="already_open"
        ) from None
    link = link_issue(
        user=user,
        purpose=OneTimeLink.Purpose.MFA_RESET_CANCEL,
        lifetime=reset.cooldown_ends_at - now,
        subject_id=reset.id,
    )
    security_event_record(
        user=user, kind=SecurityEvent.Kind.MFA_RESET_REQUESTED, request=request, reset_id=reset.id
    )
    notices.notify_reset(kind=notices.REQUESTED, reset=reset, user=user, link_id=link.id)
    send_durably(
        signals.security_review_requested,
        kind=KIND,
        subject=reset,
        user=user,
        url=_review_url(reset),
    )
    return reset


@transaction.atomic
def mfa_reset_cancel(*, token: str, request: HttpRequest | None = None) -> MfaResetRequest:
    """Cancel through the emailed link (raises accounts.links.LinkInvalid)."""
    link = link_redeem(token=token, purpose=OneTimeLink.Purpose.MFA_RESET_CANCEL)
    reset = (
        MfaResetRequest.objects.select_for_update()
        .filter(id=link.subject_id, user=link.user)
        .first()
    )
    if reset is None or reset.status not in OPEN_STATUSES:
        raise ResetConflict(
            _("This two-factor reset is already closed and can no longer be cancelled."),
            code="decided",
        )
    reset.status = MfaResetRequest.Status.CANCELLED
    reset.save(update_fields=["status"])
    security_event_record(
        user=reset.user,
        kind=SecurityEvent.Kind.MFA_RESET_CANCELLED,
        request=request,
        reset_id=reset.id,
    )
    send_durably(
        signals.security_review_decided,
        kind=KIND,
        subject=reset,
        user=reset.user,
        outcome="cancelled",
        reason="Cancelled by the customer through the emailed link.",
    )
    return reset


@transaction.atomic
def mfa_reset_decide(
    *,
    reviewer: User,
    reset_id: int,
    approve: bool,
    reason: str,
    request: HttpRequest | None = None,
) -> MfaResetRequest:
    """A security reviewer's decision on a pending request."""
    from accounts.permissions import is_security_reviewer

    if not is_security_reviewer(reviewer):
        raise PermissionDenied
    reset = MfaResetRequest.objects.select_for_update().filter(id=reset_id).first()
    if reset is None:
        raise ApplicationError(_("No such two-factor reset."), code="not_found")
    if reset.user_id == reviewer.pk:
        raise PermissionDenied(_("You cannot decide your own two-factor reset."))
    if reset.status != MfaResetRequest.Status.PENDING:
        raise ResetConflict(
            _("This request was already decided or cancelled (%(status)s).")
            % {"status": reset.get_status_display()},
            code="decided",
        )
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Give a reason for the decision."), code="empty")
    reset.status = MfaResetRequest.Status.APPROVED if approve else MfaResetRequest.Status.REJECTED
    reset.reviewer = reviewer
    reset.reviewed_at = timezone.now()
    reset.decision_reason = reason
    reset.full_clean()
    reset.save(update_fields=["status", "reviewer", "reviewed_at", "decision_reason"])
    kind = (
        SecurityEvent.Kind.MFA_RESET_APPROVED if approve else SecurityEvent.Kind.MFA_RESET_REJECTED
    )
    security_event_record(
        user=reset.user, kind=kind, request=request, actor=reviewer, reset_id=reset.id
    )
    if not approve:
        notices.notify_reset(kind=notices.REJECTED, reset=reset, user=reset.user)
    send_durably(
        signals.security_review_decided,
        kind=KIND,
        subject=reset,
        user=reset.user,
        outcome="approved" if approve else "rejected",
        reason=reason,
    )
    return reset


def mfa_resets_due() -> list[int]:
    """Approved requests whose cool-down has passed, oldest first."""
    return list(
        MfaResetRequest.objects.filter(
            status=MfaResetRequest.Status.APPROVED, cooldown_ends_at__lte=timezone.now()
        )
        .order_by("cooldown_ends_at", "id")
        .values_list("id", flat=True)[:COMPLETE_BATCH]
    )


@transaction.atomic
def mfa_reset_complete(*, reset_id: int) -> bool:
    """Remove the person's authenticators if the request is (still) due; False if not.

    SKIP LOCKED: a request another worker holds, or one being cancelled right now, is
    left alone; a cancelled or already completed one no longer matches.
    """
    reset = (
        MfaResetRequest.objects.select_for_update(skip_locked=True)
        .select_related("user")
        .filter(
            id=reset_id,
            status=MfaResetRequest.Status.APPROVED,
            cooldown_ends_at__lte=timezone.now(),
        )
        .first()
    )
    if reset is None:
        return False
    user = reset.user
    removed = sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    Authenticator.objects.filter(user=user).delete()
    user.mfa_reenrolment_required = True
    user.save(update_fields=["mfa_reenrolment_required"])
    reset.status = MfaResetRequest.Status.COMPLETED
    reset.completed_at = timezone.now()
    reset.save(update_fields=["status", "completed_at"])
    # The cancel link has nothing left to cancel.
    OneTimeLink.objects.filter(
        user=user,
        purpose=OneTimeLink.Purpose.MFA_RESET_CANCEL,
        subject_id=reset.id,
        used_at__isnull=True,
    ).update(used_at=reset.completed_at)
    security_event_record(
        user=user, kind=SecurityEvent.Kind.MFA_RESET_DONE, reset_id=reset.id, removed=removed
    )
    notices.notify_reset(kind=notices.DONE, reset=reset, user=user)
    send_durably(
        signals.security_review_decided,
        kind=KIND,
        subject=reset,
        user=user,
        outcome="completed",
        reason="",
    )
    return True


def mfa_resets_complete() -> int:
    """Complete every due request (one transaction each); returns how many. Run by beat."""
    done = 0
    for reset_id in mfa_resets_due():
        if mfa_reset_complete(reset_id=reset_id):
            done += 1
    if done:
        logger.info("completed %d two-factor resets", done)
    return done
