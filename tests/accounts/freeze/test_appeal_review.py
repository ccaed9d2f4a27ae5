"""The reviewers' queue: four eyes to approve, one to reject, and what each does."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.freeze.appeals import appeal_submit
from accounts.freeze.reviews import ReviewRefused, appeal_decide
from accounts.freeze.services import account_freeze
from accounts.models import (
    AccountFreeze,
    AppealReview,
    DocumentView,
    KycSubmission,
    OneTimeLink,
    Role,
    SecurityEvent,
    UnfreezeAppeal,
    User,
)
from tests.accounts.freeze.conftest import (
    PASSWORD,
    make_person,
    make_staff,
    png_bytes,
    selfie_upload,
    signed_in,
    token_for,
)

pytestmark = pytest.mark.django_db


def appeal_for(user: User, **extra) -> UnfreezeAppeal:
    account_freeze(user=user, source=AccountFreeze.Source.SECURITY_PAGE, reason="stolen phone")
    _link, token = token_for(user, OneTimeLink.Purpose.APPEAL)
    fields = {
        "legal_name": "Mei Lin",
        "birth_date": dt.date(1990, 4, 1),
        "description": "I froze it after a strange sign-in.",
        **extra,
    }
    return appeal_submit(token=token, selfie=selfie_upload(), **fields)


def decide(appeal, client: Client, decision: str, reason: str = "Matches the KYC record"):
    return client.post(
        f"/console/security/appeals/{appeal.id}/review", {"decision": decision, "reason": reason}
    )


@pytest.fixture
def appeal(mei) -> UnfreezeAppeal:
    return appeal_for(mei)


# ---------------------------------------------------------------- who may look


@pytest.mark.parametrize(
    "path", ["/console/security/appeals/", "/console/security/appeals/{id}/", "selfie"]
)
def test_customers_and_agents_get_403_on_reviewer_pages(appeal, agent, user_factory, path):
    path = path.format(id=appeal.id)
    if path == "selfie":
        path = f"/console/security/appeals/{appeal.id}/selfie"
    for person in (user_factory(email="sam@example.test"), agent):
        assert signed_in(person).get(path).status_code == 403
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert not DocumentView.objects.exists()


def test_non_reviewers_cannot_decide(appeal, agent):
    assert decide(appeal, signed_in(agent), "approve").status_code == 403
    assert not AppealReview.objects.exists()


# ---------------------------------------------------------------- the queue and the page


def test_the_queue_shows_pending_appeals_oldest_first(reviewer):
    older = appeal_for(make_person("old@example.test"))
    newer = appeal_for(make_person("new@example.test"))
    UnfreezeAppeal.objects.filter(id=older.id).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    decided = appeal_for(make_person("done@example.test"))
    UnfreezeAppeal.objects.filter(id=decided.id).update(status="rejected")
    page = signed_in(reviewer).get("/console/security/appeals/").content.decode()
    assert page.index("old@example.test") < page.index("new@example.test")
    assert "done@example.test" not in page
    assert list(signed_in(reviewer).get("/console/security/appeals/").context["appeals"]) == [
        older,
        newer,
    ]


def test_the_detail_page_puts_the_appeal_beside_the_kyc_record(appeal, mei, reviewer, agent):
    KycSubmission.objects.create(
        user=mei,
        level=2,
        status="approved",
        legal_name="Mei  LIN",
        birth_date=dt.date(1990, 4, 2),
        nationality="SG",
        reviewed_at=timezone.now(),
    )
    response = signed_in(reviewer).get(f"/console/security/appeals/{appeal.id}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "I froze it after a strange sign-in." in page
    assert response.context["name_matches"] is True
    assert response.context["birth_date_matches"] is False
    assert "stolen phone" in page  # why it was frozen
    assert "Account frozen" in page  # the recent security events
    assert f"/console/security/appeals/{appeal.id}/selfie" in page


def test_viewing_the_selfie_is_recorded(appeal, mei, reviewer):
    response = signed_in(reviewer).get(f"/console/security/appeals/{appeal.id}/selfie")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response.content == png_bytes()
    assert "no-store" in response["Cache-Control"]
    view = DocumentView.objects.get()
    assert view.document == appeal.selfie and view.viewer == reviewer
    event = SecurityEvent.objects.get(user=mei, kind="document_viewed")
    assert event.actor == reviewer and event.detail["appeal_id"] == appeal.id


# ---------------------------------------------------------------- four eyes


def test_one_approval_leaves_it_pending_and_the_same_reviewer_cannot_approve_twice(
    appeal, mei, reviewer
):
    console = signed_in(reviewer)
    assert decide(appeal, console, "approve").status_code == 302
    appeal.refresh_from_db()
    mei.refresh_from_db()
    assert appeal.status == "pending" and not mei.is_active
    again = decide(appeal, console, "approve")
    assert again.status_code == 409
    assert "A different reviewer must decide next" in again.content.decode()
    assert AppealReview.objects.filter(appeal=appeal).count() == 1
    page = console.get(f"/console/security/appeals/{appeal.id}/").content.decode()
    assert "You have already reviewed this appeal" in page


def test_two_reviewers_unfreeze_with_a_forced_password_reset_and_2fa_reenrolment(
    appeal, mei, reviewer, second_reviewer, deliver_outbox, django_capture_on_commit_callbacks
):
    Authenticator.objects.create(user=mei, type=Authenticator.Type.TOTP, data={"secret": "X"})
    deliver_outbox()
    mail.outbox.clear()
    assert decide(appeal, signed_in(reviewer), "approve").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(appeal, signed_in(second_reviewer), "approve", "Selfie matches KYC")
    assert response.status_code == 302
    appeal.refresh_from_db()
    mei.refresh_from_db()
    assert appeal.status == "approved" and appeal.decision_reason == "Selfie matches KYC"
    assert mei.is_active and not mei.has_usable_password() and mei.mfa_reenrolment_required
    assert not Authenticator.objects.filter(user=mei).exists()
    assert AccountFreeze.objects.get(user=mei).lifted_by == second_reviewer
    # the old password no longer signs in
    login = Client().post("/accounts/login/", {"login": mei.email, "password": PASSWORD})
    assert login.status_code == 200 and "_auth_user_id" not in login.wsgi_request.session
    # emails: allauth's reset link right away, and the outcome through the outbox
    reset = [message for message in mail.outbox if "/accounts/password/reset/key/" in message.body]
    assert len(reset) == 1 and reset[0].to == [mei.email]
    deliver_outbox()
    outcome = [message for message in mail.outbox if "unfrozen" in message.subject]
    assert len(outcome) == 1
    kinds = set(SecurityEvent.objects.filter(user=mei).values_list("kind", flat=True))
    assert {"appeal_reviewed", "appeal_approved", "unfrozen"} <= kinds
    approved = SecurityEvent.objects.get(user=mei, kind="appeal_approved")
    assert approved.actor == second_reviewer
    assert sorted(approved.detail["reviewers"]) == sorted([reviewer.id, second_reviewer.id])


def test_one_rejection_rejects_and_the_customer_reads_the_reason(
    appeal, mei, reviewer, second_reviewer, deliver_outbox
):
    assert decide(appeal, signed_in(reviewer), "approve").status_code == 302
    deliver_outbox()
    mail.outbox.clear()
    response = decide(appeal, signed_in(second_reviewer), "reject", "The selfie is blurred.")
    assert response.status_code == 302
    appeal.refresh_from_db()
    mei.refresh_from_db()
    assert appeal.status == "rejected" and not mei.is_active
    assert AccountFreeze.objects.get(user=mei).is_active
    deliver_outbox()
    (message,) = mail.outbox
    assert "not approved" in message.subject and "The selfie is blurred." in message.body
    event = SecurityEvent.objects.get(user=mei, kind="appeal_rejected")
    assert event.actor == second_reviewer
    # decided: nobody can decide again
    late = decide(
        appeal, signed_in(make_staff("third@beacon.test", Role.SECURITY_REVIEWER)), "approve"
    )
    assert late.status_code == 409


def test_a_decision_needs_a_reason(appeal, reviewer):
    response = decide(appeal, signed_in(reviewer), "reject", reason="   ")
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert not AppealReview.objects.exists()


def test_a_reviewer_cannot_decide_their_own_appeal(reviewer):
    own = appeal_for(reviewer)
    with pytest.raises(Exception) as refused:
        appeal_decide(appeal_id=own.id, reviewer=reviewer, decision="approve", reason="me")
    assert refused.type.__name__ == "PermissionDenied"


def test_the_service_refuses_the_same_reviewer_twice(appeal, reviewer):
    appeal_decide(appeal_id=appeal.id, reviewer=reviewer, decision="approve", reason="ok")
    with pytest.raises(ReviewRefused):
        appeal_decide(appeal_id=appeal.id, reviewer=reviewer, decision="approve", reason="ok")


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_cannot_both_be_first():
    mei = make_person("mei@example.test")
    appeal = appeal_for(mei)
    reviewers = [
        make_staff("rita@beacon.test", Role.SECURITY_REVIEWER),
        make_staff("ravi@beacon.test", Role.SECURITY_REVIEWER),
    ]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def approve(reviewer: User) -> None:
        try:
            start.wait(timeout=10)
            appeal_decide(appeal_id=appeal.id, reviewer=reviewer, decision="approve", reason="ok")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(reviewer,)) for reviewer in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    appeal.refresh_from_db()
    mei.refresh_from_db()
    assert appeal.status == "approved" and mei.is_active
    assert SecurityEvent.objects.filter(user=mei, kind="appeal_approved").count() == 1
