"""The customer hears the outcome of a review by email, in their language, with the reasons.

Essential kinds: nobody can turn off the answer to their own identity verification.
The stored context holds ids only; the reasons are loaded and translated when sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

import notifications as outbox
from accounts.kyc.reasons import reason_labels
from accounts.models import KycLevel, KycSubmission, ReviewStatus

APPROVED = "kyc.approved"
REJECTED = "kyc.rejected"


def _context(context: Mapping[str, Any]) -> dict[str, Any]:
    submission = outbox.load_or_obsolete(
        KycSubmission, context["submission_id"], what="the submission"
    )
    return {
        "submission": submission,
        "approved": submission.status == ReviewStatus.APPROVED,
        "level_label": KycLevel(submission.level).label,
        "reasons": reason_labels(submission.rejection_reasons),
        "note": submission.review_note,
        "page_url": settings.SITE_URL + reverse("accounts:kyc"),
    }


def _link(context: Mapping[str, Any]) -> str:
    return reverse("accounts:kyc")


def _kinds() -> list[outbox.NotificationKind]:
    kinds = (
        (
            APPROVED,
            _("Identity verification approved"),
            _("[Beacon] Your identity verification (level %(level)s) is approved"),
        ),
        (
            REJECTED,
            _("Identity verification rejected"),
            _("[Beacon] Your identity verification (level %(level)s) needs another try"),
        ),
    )
    return [
        outbox.NotificationKind(
            name=name,
            label=label,
            subject=subject,
            template="accounts/kyc/email/decided",
            build_context=_context,
            link=_link,
            essential=True,
        )
        for name, label, subject in kinds
    ]


KINDS = _kinds()  # listed in accounts/notification_kinds.py


def kyc_decided(submission: KycSubmission) -> None:
    """Inside the review's transaction: a rollback sends nothing."""
    outbox.notify(
        kind=APPROVED if submission.status == ReviewStatus.APPROVED else REJECTED,
        recipient=submission.user,
        context={"submission_id": submission.id, "level": submission.level},
        dedupe_key=f"kyc.decided:{submission.id}",
    )
