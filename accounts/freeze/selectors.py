"""Reads for the reviewers' appeal pages."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import (
    AppealReview,
    KycSubmission,
    ReviewStatus,
    SecurityEvent,
    UnfreezeAppeal,
    User,
)

RECENT_EVENTS = 20


def appeal_queue() -> QuerySet[UnfreezeAppeal]:
    """Pending appeals, the oldest first, with how many approvals each has."""
    return (
        UnfreezeAppeal.objects.filter(status=UnfreezeAppeal.Status.PENDING)
        .select_related("user", "freeze")
        .annotate(approvals=Count("reviews", filter=Q(reviews__decision="approve")))
        .order_by("created_at", "id")
    )


def appeal_get(*, appeal_id: int) -> UnfreezeAppeal:
    """The appeal with what a reviewer needs beside it; 404 when there is none."""
    return get_object_or_404(
        UnfreezeAppeal.objects.select_related(
            "user", "freeze", "freeze__actor", "freeze__lifted_by", "selfie"
        ),
        id=appeal_id,
    )


def appeal_reviews(*, appeal: UnfreezeAppeal) -> QuerySet[AppealReview]:
    return appeal.reviews.select_related("reviewer").order_by("created_at")


def kyc_record_approved(*, user: User) -> KycSubmission | None:
    """The customer's newest approved identity verification, to compare the appeal with."""
    return (
        KycSubmission.objects.filter(user=user, status=ReviewStatus.APPROVED)
        .order_by("-reviewed_at", "-created_at")
        .first()
    )


def security_events_recent(*, user: User) -> QuerySet[SecurityEvent]:
    return user.security_events.select_related("actor").order_by("-created_at", "-id")[
        :RECENT_EVENTS
    ]
