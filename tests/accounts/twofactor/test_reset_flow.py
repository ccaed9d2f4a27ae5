"""Lost device: request, email with a cancel link, review, cool-down, completion."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.utils import timezone

from accounts import signals
from accounts.models import (
    DocumentView,
    KycSubmission,
    MfaResetRequest,
    ReviewStatus,
    SecurityEvent,
)
from accounts.twofactor.services import mfa_resets_complete

from .conftest import PASSWORD, make_person, selfie

RESET_URL = "/account/2fa-reset/"
QUEUE_URL = "/console/security/2fa-resets/"


def _form(user, **changes):
    data = {
        "email": user.email,
        "password": PASSWORD,
        "legal_name": "Lin Wei",
        "birth_date": "1990-04-01",
        "description": "My phone was stolen on the train; the authenticator app was on it.",
        "selfie": selfie(),
    }
    data.update(changes)
    return data


@pytest.fixture
def kyc_record(person):
    return KycSubmission.objects.create(
        user=person,
        level=1,
        status=ReviewStatus.APPROVED,
        legal_name="Lin Wei",
        birth_date=dt.date(1990, 4, 1),
        nationality="SG",
        reviewed_at=timezone.now(),
    )


@pytest.fixture
def heard():
    """What accounts announced to the apps above it (the tickets side listens the same way)."""
    received = []

    def listen(sender, **kwargs):
        received.append(kwargs)

    signals.security_review_requested.connect(listen, dispatch_uid="test-requested")
    signals.security_review_decided.connect(listen, dispatch_uid="test-decided")
    yield received
    signals.security_review_requested.disconnect(dispatch_uid="test-requested")
    signals.security_review_decided.disconnect(dispatch_uid="test-decided")


def _cancel_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/account/2fa-reset/cancel/[^/\s]+/)", message.body).group(1)


def test_the_whole_reset(
    client,
    person_with_totp,
    kyc_record,
    reviewer,
    deliver_outbox,
    heard,
    django_capture_on_commit_callbacks,
    complete_effects,
):
    person, _authenticator = person_with_totp
    before = timezone.now()

    # 1. the request, without signing in
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET_URL, _form(person))
    complete_effects()
    assert response.status_code == 200
    assert "Request received" in response.content.decode()
    reset = MfaResetRequest.objects.get(user=person)
    assert reset.status == MfaResetRequest.Status.PENDING
    assert before + dt.timedelta(hours=48) <= reset.cooldown_ends_at
    assert reset.cooldown_ends_at <= timezone.now() + dt.timedelta(hours=48)
    assert SecurityEvent.objects.filter(
        user=person, kind=SecurityEvent.Kind.MFA_RESET_REQUESTED
    ).exists()
    assert heard[0]["kind"] == "mfa_reset" and heard[0]["subject"] == reset
    assert heard[0]["url"].endswith(f"/console/security/2fa-resets/{reset.id}/")

    # 2. the email, at once, with when it can take effect and a cancel link
    deliver_outbox()
    (notice,) = mail.outbox
    assert notice.to == [person.email]
    assert "two-factor reset was requested" in notice.subject
    assert timezone.localtime(reset.cooldown_ends_at).strftime("%Y-%m-%d %H:%M") in notice.body
    assert client.get(_cancel_path(notice)).status_code == 200

    # 3. the reviewer sees it beside the KYC record, opens the selfie, approves
    client.force_login(reviewer)
    queue = client.get(QUEUE_URL).content.decode()
    assert person.email in queue
    detail = client.get(f"{QUEUE_URL}{reset.id}/").content.decode()
    assert "Verified identity (KYC)" in detail and "matches" in detail
    picture = client.get(f"{QUEUE_URL}{reset.id}/documents/{reset.selfie_id}")
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert DocumentView.objects.filter(document=reset.selfie, viewer=reviewer).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        decided = client.post(
            f"{QUEUE_URL}{reset.id}/decide",
            {"decision": "approve", "reason": "Selfie and details match the KYC record."},
        )
    assert decided.status_code == 302
    reset.refresh_from_db()
    assert reset.status == MfaResetRequest.Status.APPROVED and reset.reviewer == reviewer

    # 4. before the cool-down the task does nothing
    assert mfa_resets_complete() == 0
    assert Authenticator.objects.filter(user=person).exists()

    # 5. after it, the authenticators go and re-enrolment is required
    MfaResetRequest.objects.filter(id=reset.id).update(
        cooldown_ends_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert mfa_resets_complete() == 1
    assert mfa_resets_complete() == 0  # a second run finds nothing
    complete_effects()
    assert not Authenticator.objects.filter(user=person).exists()
    person.refresh_from_db()
    assert person.mfa_reenrolment_required
    reset.refresh_from_db()
    assert reset.status == MfaResetRequest.Status.COMPLETED
    assert SecurityEvent.objects.filter(
        user=person, kind=SecurityEvent.Kind.MFA_RESET_DONE
    ).exists()
    assert [h["outcome"] for h in heard[1:]] == ["approved", "completed"]
    mail.outbox.clear()
    deliver_outbox()
    (done,) = mail.outbox
    assert "removed" in done.subject and "set it up again" in done.body

    # 6. the cancel link is dead now
    client.logout()
    assert client.get(_cancel_path(notice)).status_code == 404


def test_cancel_stops_the_reset(client, person_with_totp, reviewer, deliver_outbox, heard):
    person, _authenticator = person_with_totp
    client.post(RESET_URL, _form(person))
    deliver_outbox()
    reset = MfaResetRequest.objects.get(user=person)
    path = _cancel_path(mail.outbox[0])

    confirm = client.get(path)
    assert "Cancel the reset" in confirm.content.decode()
    cancelled = client.post(path)

    assert cancelled.status_code == 200
    assert "cancelled" in cancelled.content.decode()
    reset.refresh_from_db()
    assert reset.status == MfaResetRequest.Status.CANCELLED
    MfaResetRequest.objects.filter(id=reset.id).update(
        cooldown_ends_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert mfa_resets_complete() == 0
    assert Authenticator.objects.filter(user=person).exists()
    assert client.post(path).status_code == 404  # one use
    client.force_login(reviewer)
    late = client.post(f"{QUEUE_URL}{reset.id}/decide", {"decision": "approve", "reason": "ok"})
    assert late.status_code == 409


def test_rejection_emails_the_reason(client, person_with_totp, reviewer, deliver_outbox):
    person, _authenticator = person_with_totp
    client.post(RESET_URL, _form(person))
    reset = MfaResetRequest.objects.get(user=person)
    client.force_login(reviewer)

    client.post(
        f"{QUEUE_URL}{reset.id}/decide",
        {"decision": "reject", "reason": "The selfie does not match the ID photo."},
    )

    reset.refresh_from_db()
    assert reset.status == MfaResetRequest.Status.REJECTED
    mail.outbox.clear()
    deliver_outbox()
    rejected = [m for m in mail.outbox if "not approved" in m.subject]
    assert len(rejected) == 1 and "The selfie does not match the ID photo." in rejected[0].body
    assert mfa_resets_complete() == 0
    assert Authenticator.objects.filter(user=person).exists()


def test_a_decision_needs_a_reason(client, person_with_totp, reviewer):
    person, _authenticator = person_with_totp
    client.post(RESET_URL, _form(person))
    reset = MfaResetRequest.objects.get(user=person)
    client.force_login(reviewer)

    response = client.post(f"{QUEUE_URL}{reset.id}/decide", {"decision": "approve", "reason": " "})

    assert response.status_code == 400
    reset.refresh_from_db()
    assert reset.status == MfaResetRequest.Status.PENDING


def test_the_queue_and_selfie_refuse_non_reviewers(client, person_with_totp):
    person, _authenticator = person_with_totp
    client.post(RESET_URL, _form(person))
    reset = MfaResetRequest.objects.get(user=person)
    agent = make_person("agent@example.test")

    for who in (None, agent, person):
        client.logout()
        if who is not None:
            client.force_login(who)
        for path in (
            QUEUE_URL,
            f"{QUEUE_URL}{reset.id}/",
            f"{QUEUE_URL}{reset.id}/documents/{reset.selfie_id}",
        ):
            assert client.get(path).status_code in (302, 403), (who, path)
    assert not DocumentView.objects.exists()


# ---------------------------------------------------------------- hostile input


def _without_csrf(response) -> str:
    return re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode())


def test_a_wrong_password_answers_like_an_unknown_email(client, person_with_totp):
    person, _authenticator = person_with_totp

    wrong = client.post(RESET_URL, _form(person, password="not-the-password"))
    unknown = client.post(RESET_URL, _form(person, email="nobody@example.test"))

    assert wrong.status_code == unknown.status_code == 200
    assert _without_csrf(wrong) == _without_csrf(unknown)
    assert not MfaResetRequest.objects.exists()
    assert mail.outbox == []


def test_a_selfie_that_is_not_an_image_is_refused(client, person_with_totp):
    person, _authenticator = person_with_totp

    response = client.post(
        RESET_URL, _form(person, selfie=selfie(b"%PDF-1.4 not a photo", "selfie.png"))
    )

    assert response.status_code == 400
    assert "is not a JPEG, PNG or WebP photo" in response.content.decode()
    assert not MfaResetRequest.objects.exists()


def test_a_huge_description_is_refused(client, person_with_totp):
    person, _authenticator = person_with_totp

    response = client.post(RESET_URL, _form(person, description="x" * 100_000))

    assert response.status_code == 400
    assert "at most 5000 characters" in response.content.decode()
    assert not MfaResetRequest.objects.exists()


def test_a_second_request_while_one_is_open_is_refused(client, person_with_totp):
    person, _authenticator = person_with_totp
    client.post(RESET_URL, _form(person))

    again = client.post(RESET_URL, _form(person))

    assert again.status_code == 409
    assert "already open" in again.content.decode()
    assert MfaResetRequest.objects.filter(user=person).count() == 1


def test_requests_are_rate_limited(client, person_with_totp):
    person, _authenticator = person_with_totp
    for _ in range(5):
        client.post(RESET_URL, _form(person, password="wrong-password"))

    limited = client.post(RESET_URL, _form(person))

    assert limited.status_code == 429
    assert "Too many reset requests" in limited.content.decode()
    assert not MfaResetRequest.objects.exists()


def test_a_forged_cancel_link_is_refused(client, db):
    assert client.get("/account/2fa-reset/cancel/not-a-token/").status_code == 404
    assert client.post("/account/2fa-reset/cancel/not-a-token/").status_code == 404
