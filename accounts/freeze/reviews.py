"""The reviewers' side of an unfreeze appeal: four eyes to approve, one to reject.

Each decision is an AppealReview row, written under a lock on the appeal, so two
reviewers clicking at once take turns and exactly one of them is "first". The second
approval from a different reviewer lifts the freeze, removes the password and the 2FA
authenticators (the thief may know both) and emails a password-reset link.
"""

from __future__ import annotations

import logging

from allauth.account.forms import ResetPasswordForm
from allauth.core import context
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import client_ip, security_event_record
from accounts.effects import send_durably
from accounts.freeze import notices
from accounts.freeze.services import account_unfreeze
from accounts.models import AppealReview, DocumentView, SecurityEvent, UnfreezeAppeal, User
from accounts.permissions import is_security_reviewer
from accounts.signals import security_review_decided
from core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

APPROVALS_NEEDED = 2
REASON_MAX = 2000


class ReviewRefused(ApplicationError):
    status_code = 409


@transaction.atomic
def appeal_decide(
    *,
    appeal_id: int,
    reviewer: User,
    decision: AppealReview.Decision,
    reason: str,
    request: HttpRequest | None = None,
) -> UnfreezeAppeal:
    """Record `reviewer`'s decision; the second approval or the first rejection decides."""
    if not is_security_reviewer(reviewer):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ReviewRefused(_("Give a reason for your decision."), code="empty")
    if len(reason) > REASON_MAX:
        raise ReviewRefused(
            _("The reason is longer than %(max)d characters.") % {"max": REASON_MAX},
            code="too_long",
        )
    appeal = (
        UnfreezeAppeal.objects.select_for_update()
        .select_related("user", "freeze")
        .filter(id=appeal_id)
        .first()
    )
    if appeal is None:
        raise ReviewRefused(_("There is no such appeal."), code="not_found")
    if appeal.user_id == reviewer.id:
        raise PermissionDenied
    if appeal.status != UnfreezeAppeal.Status.PENDING:
        raise ReviewRefused(_("This appeal has already been decided."), code="decided")
    if appeal.reviews.filter(reviewer=reviewer).exists():
        raise ReviewRefused(
            _("You have already reviewed this appeal. A different reviewer must decide next."),
            code="same_reviewer",
        )
    review = AppealReview(appeal=appeal, reviewer=reviewer, decision=decision, reason=reason)
    review.full_clean()
    review.save()
    # Without the request: the customer reads this trail, and a reviewer's address and
    # browser are not theirs to see (as for KYC reviews). The reviewer is named as actor.
    security_event_record(
        user=appeal.user,
        kind=SecurityEvent.Kind.APPEAL_REVIEWED,
        actor=reviewer,
        appeal_id=appeal.id,
        decision=decision,
        reason=reason,
    )
    if decision == AppealReview.Decision.REJECT:
        _reject(appeal=appeal, reviewer=reviewer, reason=reason)
    elif appeal.reviews.filter(decision=AppealReview.Decision.APPROVE).count() >= APPROVALS_NEEDED:
        _approve(appeal=appeal, reviewer=reviewer, reason=reason, request=request)
    return appeal


def _decided(appeal: UnfreezeAppeal, status: UnfreezeAppeal.Status, reason: str) -> None:
    appeal.status = status
    appeal.decided_at = timezone.now()
    appeal.decision_reason = reason
    appeal.save(update_fields=["status", "decided_at", "decision_reason"])
    notices.appeal_decision_notify(appeal=appeal)
    send_durably(
        security_review_decided,
        kind="appeal",
        subject=appeal,
        user=appeal.user,
        outcome=status.value,
        reason=reason,
    )


def _reject(*, appeal: UnfreezeAppeal, reviewer: User, reason: str) -> None:
    _decided(appeal, UnfreezeAppeal.Status.REJECTED, reason)
    security_event_record(
        user=appeal.user,
        kind=SecurityEvent.Kind.APPEAL_REJECTED,
        actor=reviewer,
        appeal_id=appeal.id,
        reason=reason,
    )


def _approve(
    *, appeal: UnfreezeAppeal, reviewer: User, reason: str, request: HttpRequest | None
) -> None:
    user = appeal.user
    account_unfreeze(user=user, actor=reviewer, reason=reason)  # no request: see appeal_decide
    # Whoever froze it out may know the password and hold the 2FA device: both go.
    user.set_unusable_password()
    user.mfa_reenrolment_required = True
    user.save(update_fields=["password", "mfa_reenrolment_required"])
    authenticators, _detail = Authenticator.objects.filter(user=user).delete()
    _decided(appeal, UnfreezeAppeal.Status.APPROVED, reason)
    reviewers = list(appeal.reviews.values_list("reviewer_id", flat=True))
    security_event_record(
        user=user,
        kind=SecurityEvent.Kind.APPEAL_APPROVED,
        actor=reviewer,
        appeal_id=appeal.id,
        reason=reason,
        reviewers=reviewers,
        password_removed=True,
        authenticators_removed=authenticators,
    )
    transaction.on_commit(lambda: password_reset_send(user=user, request=request), robust=True)


def password_reset_send(*, user: User, request: HttpRequest | None) -> None:
    """allauth's own reset email (its link, its token), in the customer's language."""
    if request is None:  # allauth builds the link from the request (host, scheme)
        logger.error("no password reset email for user %s: no request to build it", user.pk)
        return
    form = ResetPasswordForm(data={"email": user.email})
    # On commit the view may have returned already: give allauth its request back.
    with context.request_context(request), translation.override(user.language or "en"):
        if not form.is_valid():
            logger.error("no password reset for user %s: %s", user.pk, form.errors.as_json())
            return
        form.save(request)


@transaction.atomic
def selfie_view_record(
    *, appeal: UnfreezeAppeal, viewer: User, request: HttpRequest | None = None
) -> DocumentView:
    """Note that `viewer` opened the appeal's selfie; call before serving the bytes."""
    if not is_security_reviewer(viewer):
        raise PermissionDenied
    view = DocumentView.objects.create(
        document=appeal.selfie, viewer=viewer, ip=client_ip(request), viewed_at=timezone.now()
    )
    security_event_record(
        user=appeal.user,
        kind=SecurityEvent.Kind.DOCUMENT_VIEWED,
        actor=viewer,
        document_id=appeal.selfie_id,
        document_kind=appeal.selfie.kind,
        appeal_id=appeal.id,
    )
    return view
