"""Two reviewers deciding the same submission at the same moment: the row lock makes one
wait, and it then finds the other's decision instead of overwriting it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.kyc.errors import KycAlreadyDecided
from accounts.kyc.services import kyc_review
from accounts.models import KycSubmission, ReviewStatus, SecurityEvent
from tests.notifications.conftest import needs_postgres

from .conftest import submit_basic


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_make_one(customer, reviewer, second_reviewer):
    submission = submit_basic(customer)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(name, person, approve):
        try:
            start.wait()
            kyc_review(
                reviewer=person,
                submission_id=submission.id,
                approve=approve,
                reasons=[] if approve else ["blurred"],
            )
            outcomes[name] = "decided"
        except KycAlreadyDecided as exc:
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("first", reviewer, True)),
        threading.Thread(target=decide, args=("second", second_reviewer, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(type(value).__name__ for value in outcomes.values()) == [
        "KycAlreadyDecided",
        "str",
    ]
    submission.refresh_from_db()
    winner = reviewer if outcomes["first"] == "decided" else second_reviewer
    assert submission.reviewer == winner
    assert submission.status == (
        ReviewStatus.APPROVED if winner == reviewer else ReviewStatus.REJECTED
    )
    decided = SecurityEvent.objects.filter(
        kind__in=[SecurityEvent.Kind.KYC_APPROVED, SecurityEvent.Kind.KYC_REJECTED]
    )
    assert decided.count() == 1
    assert KycSubmission.objects.count() == 1
