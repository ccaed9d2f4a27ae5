"""The customer reads their own audit trail: a reviewer's address and browser stay off it.

Regression: the appeal's review events (selfie viewed, reviewed, unfrozen, approved,
rejected) were recorded with the reviewer's request, so the customer's security history
showed where the reviewer sat and what they used. As for KYC reviews, the reviewer is
named as the actor and the address goes only in the staff-only DocumentView log.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accounts.freeze.appeals import appeal_submit
from accounts.freeze.services import account_freeze
from accounts.models import AccountFreeze, DocumentView, OneTimeLink, SecurityEvent, User
from tests.accounts.freeze.conftest import selfie_upload, token_for

pytestmark = pytest.mark.django_db

REVIEWER_IP = "198.51.100.7"
REVIEWER_BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
REVIEWER_KINDS = {
    SecurityEvent.Kind.DOCUMENT_VIEWED,
    SecurityEvent.Kind.APPEAL_REVIEWED,
    SecurityEvent.Kind.UNFROZEN,
    SecurityEvent.Kind.APPEAL_APPROVED,
    SecurityEvent.Kind.APPEAL_REJECTED,
}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


def appeal_of(user: User):
    account_freeze(user=user, source=AccountFreeze.Source.SECURITY_PAGE, reason="stolen phone")
    _link, token = token_for(user, OneTimeLink.Purpose.APPEAL)
    return appeal_submit(
        token=token,
        legal_name="Mei Lin",
        birth_date=dt.date(1990, 4, 1),
        description="I froze it after a strange sign-in.",
        selfie=selfie_upload(),
    )


def console_of(reviewer: User) -> Client:
    client = Client(REMOTE_ADDR=REVIEWER_IP, HTTP_USER_AGENT=REVIEWER_BROWSER)
    client.force_login(reviewer)
    return client


def look_and_decide(appeal, reviewer: User, decision: str) -> None:
    console = console_of(reviewer)
    assert console.get(f"/console/security/appeals/{appeal.id}/selfie").status_code == 200
    response = console.post(
        f"/console/security/appeals/{appeal.id}/review",
        {"decision": decision, "reason": "Compared with the KYC record."},
    )
    assert response.status_code == 302


def reviewer_events(user: User) -> list[SecurityEvent]:
    events = list(SecurityEvent.objects.filter(user=user, actor__isnull=False))
    assert events and {event.kind for event in events} <= REVIEWER_KINDS
    return events


def test_an_approval_keeps_the_reviewers_address_off_the_customers_trail(
    mei, reviewer, second_reviewer
):
    appeal = appeal_of(mei)
    look_and_decide(appeal, reviewer, "approve")
    look_and_decide(appeal, second_reviewer, "approve")

    events = reviewer_events(mei)
    assert {event.kind for event in events} == REVIEWER_KINDS - {SecurityEvent.Kind.APPEAL_REJECTED}
    assert [(event.ip, event.user_agent) for event in events] == [(None, "")] * len(events)
    # the staff-only log of who opened the selfie keeps where they were
    assert {view.ip for view in DocumentView.objects.all()} == {REVIEWER_IP}


def test_a_rejection_keeps_the_reviewers_address_off_the_customers_trail(mei, reviewer):
    appeal = appeal_of(mei)
    look_and_decide(appeal, reviewer, "reject")

    events = reviewer_events(mei)
    assert SecurityEvent.Kind.APPEAL_REJECTED in {event.kind for event in events}
    assert [(event.ip, event.user_agent) for event in events] == [(None, "")] * len(events)
