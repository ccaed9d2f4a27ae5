"""Reads for identity verification: a customer's own submissions, the reviewers' queue,
and the record other packages (freeze appeals, 2FA resets) compare identities against."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from accounts.models import (
    DocumentView,
    IdentityDocument,
    KycLevel,
    KycSubmission,
    ReviewStatus,
    User,
)

TOP_LEVEL = max(KycLevel.values)


def kyc_record_for(user: User) -> KycSubmission | None:
    """The customer's verified identity: the approved submission of the highest level
    (the newest of them), or None when nothing is approved."""
    return (
        KycSubmission.objects.filter(user=user, status=ReviewStatus.APPROVED)
        .order_by("-level", "-reviewed_at", "-id")
        .first()
    )


def kyc_level_for(user: User) -> int:
    """0 when unverified, else the highest approved level (1 basic, 2 advanced, 3 address)."""
    record = kyc_record_for(user)
    return record.level if record is not None else 0


def _with_documents(queryset: QuerySet[KycSubmission]) -> QuerySet[KycSubmission]:
    return queryset.prefetch_related(
        Prefetch("documents", queryset=IdentityDocument.objects.order_by("id"))
    )


def kyc_submissions_for(*, user: User) -> QuerySet[KycSubmission]:
    """A customer's own submissions, newest first, with their documents' metadata."""
    return _with_documents(KycSubmission.objects.filter(user=user).order_by("-created_at", "-id"))


@dataclass(frozen=True)
class KycProgress:
    """Where a customer stands: what is approved, what comes next and what became of it."""

    level: int  # approved level, 0 when none
    next_level: int | None  # None when every level is approved
    pending: KycSubmission | None  # the next level's submission under review
    rejected: KycSubmission | None  # the next level's latest submission, when rejected

    @property
    def can_submit(self) -> bool:
        return self.next_level is not None and self.pending is None


def kyc_progress_for(*, user: User) -> KycProgress:
    level = kyc_level_for(user)
    next_level = level + 1 if level < TOP_LEVEL else None
    latest = None
    if next_level is not None:
        latest = (
            KycSubmission.objects.filter(user=user, level=next_level)
            .order_by("-created_at", "-id")
            .first()
        )
    return KycProgress(
        level=level,
        next_level=next_level,
        pending=latest if latest and latest.status == ReviewStatus.PENDING else None,
        rejected=latest if latest and latest.status == ReviewStatus.REJECTED else None,
    )


# ---------------------------------------------------------------------------- reviewers


def kyc_queue() -> QuerySet[KycSubmission]:
    """Pending submissions, the oldest first (the one nearest its review target)."""
    return (
        KycSubmission.objects.filter(status=ReviewStatus.PENDING)
        .select_related("user")
        .order_by("created_at", "id")
    )


def kyc_submission_for_review(*, submission_id: int) -> KycSubmission | None:
    return _with_documents(
        KycSubmission.objects.select_related("user", "reviewer").filter(id=submission_id)
    ).first()


def kyc_history_for_review(*, submission: KycSubmission) -> QuerySet[KycSubmission]:
    """The same customer's other submissions, newest first, for comparison."""
    return _with_documents(
        KycSubmission.objects.filter(user_id=submission.user_id)
        .exclude(id=submission.id)
        .select_related("reviewer")
        .order_by("-created_at", "-id")
    )


def document_views_for(*, submission: KycSubmission) -> QuerySet[DocumentView]:
    """Who opened this submission's documents, and when: newest first."""
    return (
        DocumentView.objects.filter(document__submission=submission)
        .select_related("viewer", "document")
        .order_by("-viewed_at", "-id")
    )
