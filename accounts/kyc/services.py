"""Writes for identity verification: a customer submits a level, a reviewer decides,
a reviewer opens a document. Each runs in one transaction and leaves an audit line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts import signals
from accounts.audit import client_ip, security_event_record
from accounts.documents import document_check, document_read, document_store
from accounts.effects import send_durably
from accounts.kyc import notices
from accounts.kyc.errors import (
    KycAlreadyDecided,
    KycAlreadyPending,
    KycLevelNotOpen,
    KycOwnSubmission,
)
from accounts.kyc.reasons import RejectionReason, reason_labels
from accounts.kyc.selectors import kyc_level_for, kyc_record_for
from accounts.kyc.validators import (
    validate_birth_date,
    validate_legal_name,
    validate_nationality,
)
from accounts.models import (
    DocumentView,
    IdentityDocument,
    KycLevel,
    KycSubmission,
    ReviewStatus,
    SecurityEvent,
    User,
)
from accounts.permissions import is_security_reviewer
from core.exceptions import ApplicationError, NotFound
from core.text import plain_text

Kind = IdentityDocument.Kind

# What each level asks for, in the order the form shows it.
REQUIRED_DOCUMENTS: dict[int, tuple[str, ...]] = {
    KycLevel.BASIC: (),
    KycLevel.ADVANCED: (Kind.ID_FRONT, Kind.ID_BACK, Kind.SELFIE),
    KycLevel.ADDRESS: (Kind.ADDRESS_PROOF,),
}
NOTE_MAX = 2000


# ---------------------------------------------------------------------------- customers


def kyc_level_check(*, user: User, level: int) -> None:
    """Raise unless `user` may submit `level` now: the one below approved, none pending."""
    if level not in KycLevel.values:
        raise KycLevelNotOpen(_("There is no such verification level."))
    approved = kyc_level_for(user)
    if level <= approved:
        raise KycLevelNotOpen(_("This verification level is already approved."))
    if level > approved + 1:
        raise KycLevelNotOpen(
            _("Level %(below)d must be approved before you can submit level %(level)d.")
            % {"below": level - 1, "level": level}
        )
    if KycSubmission.objects.filter(user=user, level=level, status=ReviewStatus.PENDING).exists():
        raise KycAlreadyPending(_pending_message())


def _pending_message() -> str:
    return _(
        "You already sent this level and it is under review. We will email you when it "
        "is decided; you can send it again only if it is rejected."
    )


@transaction.atomic
def kyc_submit(
    *,
    user: User,
    level: int,
    documents: Mapping[str, UploadedFile],
    legal_name: str = "",
    birth_date: dt.date | None = None,
    nationality: str = "",
    request: HttpRequest | None = None,
) -> KycSubmission:
    """Save a submission and its encrypted documents, or nothing at all.

    Level 1 takes the identity data; the higher levels carry over the data of the
    approved record, which their documents must match. Every file is checked from its
    bytes before anything is written.
    """
    kyc_level_check(user=user, level=level)
    kinds = REQUIRED_DOCUMENTS[level]
    missing = [kind for kind in kinds if documents.get(kind) is None]
    if missing:
        raise ApplicationError(
            _("Missing: %(files)s.") % {"files": ", ".join(str(Kind(k).label) for k in missing)},
            code="missing_document",
        )
    for kind in kinds:  # DocumentRejected before any row or file exists
        document_check(documents[kind], photo_only=kind == Kind.SELFIE)

    if level == KycLevel.BASIC:
        identity = {
            "legal_name": " ".join(plain_text(legal_name).split()),
            "birth_date": birth_date,
            "nationality": nationality,
        }
    else:
        record = kyc_record_for(user)
        identity = {
            "legal_name": record.legal_name,
            "birth_date": record.birth_date,
            "nationality": record.nationality,
        }

    submission = KycSubmission(user=user, level=level, **identity)
    try:
        if level == KycLevel.BASIC:
            validate_legal_name(identity["legal_name"])
            validate_birth_date(birth_date)
            validate_nationality(nationality)
        submission.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="identity") from exc
    try:
        with transaction.atomic():  # two tabs submitting at once: the constraint decides
            submission.save()
    except IntegrityError as exc:
        raise KycAlreadyPending(_pending_message()) from exc

    for kind in kinds:
        document_store(user=user, kind=kind, upload=documents[kind], submission=submission)
    security_event_record(
        user=user,
        kind=SecurityEvent.Kind.KYC_SUBMITTED,
        request=request,
        submission_id=submission.id,
        level=level,
    )
    send_durably(
        signals.security_review_requested,
        kind="kyc",
        subject=submission,
        user=user,
        url=settings.SITE_URL + reverse("security_desk:kyc-detail", args=[submission.id]),
    )
    return submission


# ---------------------------------------------------------------------------- reviewers


def _clean_decision(approve: bool, reasons: list[str], note: str) -> tuple[list[str], str]:
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ApplicationError(
            _("The note is longer than %(max)d characters.") % {"max": NOTE_MAX}, code="too_long"
        )
    if approve:
        return [], note
    unknown = [code for code in reasons if code not in RejectionReason.values]
    if unknown:
        raise ApplicationError(_("Unknown rejection reason."), code="bad_reason")
    if not reasons:
        raise ApplicationError(_("Choose at least one reason for the rejection."), code="empty")
    if RejectionReason.OTHER in reasons and not note:
        raise ApplicationError(_("Explain “another reason” in the note."), code="empty")
    # In the list's own order, once each: the customer reads them as a list.
    return [code for code in RejectionReason.values if code in reasons], note


def _decided_message(submission: KycSubmission) -> str:
    return _("This submission was already %(status)s by %(who)s on %(when)s.") % {
        "status": submission.get_status_display().lower(),
        "who": submission.reviewer.display_name if submission.reviewer else _("a reviewer"),
        "when": formats.date_format(timezone.localtime(submission.reviewed_at), "DATETIME_FORMAT")
        if submission.reviewed_at
        else "?",
    }


@transaction.atomic
def kyc_review(
    *,
    reviewer: User,
    submission_id: int,
    approve: bool,
    reasons: list[str] | None = None,
    note: str = "",
) -> KycSubmission:
    """Approve or reject a pending submission; a second decision is refused.

    The row is locked first, so of two reviewers deciding at once the second waits,
    then sees the first one's decision.
    """
    if not is_security_reviewer(reviewer):
        raise PermissionDenied
    submission = (
        KycSubmission.objects.select_for_update(of=("self",))
        .select_related("user", "reviewer")
        .filter(id=submission_id)
        .first()
    )
    if submission is None:
        raise NotFound(_("No such submission."))
    if submission.user_id == reviewer.id:
        raise KycOwnSubmission(_("You cannot review your own identity verification."))
    if submission.status != ReviewStatus.PENDING:
        raise KycAlreadyDecided(_decided_message(submission))
    reasons, note = _clean_decision(approve, list(reasons or []), note)

    submission.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    submission.reviewer = reviewer
    submission.reviewed_at = timezone.now()
    submission.rejection_reasons = reasons
    submission.review_note = note
    try:
        submission.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise ApplicationError("; ".join(exc.messages)) from exc
    submission.save(
        update_fields=["status", "reviewer", "reviewed_at", "rejection_reasons", "review_note"]
    )

    customer = submission.user
    # Without the request: the customer reads this trail, and a reviewer's address and
    # browser are not theirs to see. The reviewer is named as the actor.
    security_event_record(
        user=customer,
        kind=SecurityEvent.Kind.KYC_APPROVED if approve else SecurityEvent.Kind.KYC_REJECTED,
        actor=reviewer,
        submission_id=submission.id,
        level=submission.level,
        reasons=reasons,
    )
    notices.kyc_decided(submission)
    summary = "; ".join(reason_labels(reasons))
    send_durably(
        signals.security_review_decided,
        kind="kyc",
        subject=submission,
        user=customer,
        outcome=submission.status,
        reason=" / ".join(part for part in (summary, note) if part),
    )
    return submission


@transaction.atomic
def identity_document_open(
    *, viewer: User, document_id: int, request: HttpRequest | None = None
) -> tuple[IdentityDocument, bytes]:
    """A document's plain bytes for a reviewer; the view is logged on the owner's trail.

    Serves every identity document (KYC, and the selfies of appeals and 2FA resets).
    A file no key opens raises DocumentUnreadable and rolls the log back: nothing was seen.
    """
    if not is_security_reviewer(viewer):
        raise PermissionDenied
    document = IdentityDocument.objects.select_related("user").filter(id=document_id).first()
    if document is None:
        raise NotFound(_("No such document."))
    # The reviewer's address goes in the staff-only log; the customer's trail names the
    # reviewer as actor but not where they sat (see kyc_review).
    DocumentView.objects.create(document=document, viewer=viewer, ip=client_ip(request))
    security_event_record(
        user=document.user,
        kind=SecurityEvent.Kind.DOCUMENT_VIEWED,
        actor=viewer,
        document_id=document.id,
        document_kind=document.kind,
        submission_id=document.submission_id,
    )
    return document, document_read(document)
