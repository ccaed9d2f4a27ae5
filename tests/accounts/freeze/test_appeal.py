"""The customer's appeal: a fresh link by email, then identity, story and a selfie."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts import signals
from accounts.documents import document_path, document_read
from accounts.freeze.services import account_freeze
from accounts.models import AccountFreeze, OneTimeLink, SecurityEvent, UnfreezeAppeal
from tests.accounts.freeze.conftest import png_bytes, selfie_upload, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_mei(mei):
    account_freeze(user=mei, source=AccountFreeze.Source.SECURITY_PAGE, reason="")
    return mei


def appeal_data(**changes) -> dict:
    data = {
        "legal_name": "Mei Lin",
        "birth_date": "1990-04-01",
        "description": "Someone signed in from abroad; I froze it at once.",
        "selfie": selfie_upload(),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def appeal_url(token: str) -> str:
    return f"/account/freeze/appeal/{token}/"


# ---------------------------------------------------------------- asking for a link


def test_asking_for_a_link_always_gets_the_same_answer(frozen_mei, user_factory, deliver_outbox):
    user_factory(email="active@example.test")
    deliver_outbox()
    mail.outbox.clear()
    answers = set()
    for email in ("MEI@example.test", "active@example.test", "nobody@example.test"):
        response = Client().post("/account/freeze/appeal/", {"email": email})
        assert response.status_code == 200
        main = re.search(r"<main.*</main>", response.content.decode(), re.S)
        answers.add(main.group(0))
    assert len(answers) == 1
    assert "if that account is frozen" in answers.pop().lower()
    # only the frozen account got a link
    assert deliver_outbox() == 1
    (message,) = mail.outbox
    assert message.to == [frozen_mei.email] and "/account/freeze/appeal/" in message.body


def test_asking_for_a_link_is_rate_limited(frozen_mei, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "appeal": "2/h/ip"}
    browser = Client()
    for _ in range(2):
        assert (
            browser.post("/account/freeze/appeal/", {"email": "x@example.test"}).status_code == 200
        )
    response = browser.post("/account/freeze/appeal/", {"email": frozen_mei.email})
    assert response.status_code == 429


def test_asking_for_a_link_needs_an_email_address():
    response = Client().post("/account/freeze/appeal/", {"email": "not an address"})
    assert response.status_code == 400


# ---------------------------------------------------------------- appealing


def test_an_appeal_goes_to_the_reviewers_with_an_encrypted_selfie(
    frozen_mei, django_capture_on_commit_callbacks, complete_effects
):
    _link, token = token_for(frozen_mei, OneTimeLink.Purpose.APPEAL)
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    signals.security_review_requested.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            page = Client().get(appeal_url(token))
            assert page.status_code == 200 and "A fresh selfie" in page.content.decode()
            response = Client().post(appeal_url(token), appeal_data())
        complete_effects()
    finally:
        signals.security_review_requested.disconnect(listener)
    assert response.status_code == 200
    assert "We received your appeal" in response.content.decode()
    appeal = UnfreezeAppeal.objects.get(user=frozen_mei)
    assert (appeal.legal_name, appeal.birth_date) == ("Mei Lin", dt.date(1990, 4, 1))
    assert appeal.status == "pending" and appeal.freeze.user == frozen_mei
    assert appeal.selfie.kind == "selfie"
    assert document_read(appeal.selfie) == png_bytes()
    assert png_bytes() not in document_path(appeal.selfie).read_bytes()
    assert SecurityEvent.objects.filter(user=frozen_mei, kind="appeal_submitted").exists()
    (sent,) = heard
    assert sent["kind"] == "appeal" and sent["subject"] == appeal and sent["user"] == frozen_mei
    assert sent["url"] == f"/console/security/appeals/{appeal.id}/"


def test_a_second_appeal_while_one_is_pending_is_refused_clearly(frozen_mei):
    _link, token = token_for(frozen_mei, OneTimeLink.Purpose.APPEAL)
    _other, fresh = token_for(frozen_mei, OneTimeLink.Purpose.APPEAL)
    assert Client().post(appeal_url(token), appeal_data()).status_code == 200
    for again in (token, fresh):
        for response in (
            Client().get(appeal_url(again)),
            Client().post(appeal_url(again), appeal_data()),
        ):
            assert response.status_code == 409
            assert "under review" in response.content.decode()
    assert UnfreezeAppeal.objects.filter(user=frozen_mei).count() == 1


def test_no_fresh_link_is_sent_while_an_appeal_is_pending(frozen_mei, deliver_outbox):
    _link, token = token_for(frozen_mei, OneTimeLink.Purpose.APPEAL)
    Client().post(appeal_url(token), appeal_data())
    deliver_outbox()
    mail.outbox.clear()
    Client().post("/account/freeze/appeal/", {"email": frozen_mei.email})
    assert deliver_outbox() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"selfie": SimpleUploadedFile("me.png", b"%PDF-1.4 not a photo", "image/png")},
            "selfie",
        ),
        ({"selfie": SimpleUploadedFile("me.png", b"", "image/png")}, "selfie"),
        ({"description": "x" * 5001}, "description"),
        ({"legal_name": None}, "legal_name"),
        ({"birth_date": None}, "birth_date"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"birth_date": "yesterday"}, "birth_date"),
        ({"description": None}, "description"),
        ({"selfie": None}, "selfie"),
    ],
)
def test_bad_appeal_input_gets_a_clear_error_and_changes_nothing(frozen_mei, changes, field):
    _link, token = token_for(frozen_mei, OneTimeLink.Purpose.APPEAL)
    response = Client().post(appeal_url(token), appeal_data(**changes))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "Nothing was sent" in response.content.decode()
    assert not UnfreezeAppeal.objects.exists()
    # the link still works for the corrected appeal
    assert Client().post(appeal_url(token), appeal_data()).status_code == 200


def test_an_appeal_link_that_is_forged_or_expired_is_refused(frozen_mei):
    link, token = token_for(frozen_mei, OneTimeLink.Purpose.APPEAL)
    assert Client().get(appeal_url(token[:-3] + "xyz")).status_code == 400
    OneTimeLink.objects.filter(id=link.id).update(expires_at=link.created_at)
    response = Client().post(appeal_url(token), appeal_data())
    assert response.status_code == 410
    assert "Ask for a new appeal link" in response.content.decode()
    assert not UnfreezeAppeal.objects.exists()


def test_a_not_me_link_does_not_open_the_appeal(frozen_mei):
    _link, token = token_for(frozen_mei, OneTimeLink.Purpose.NOT_ME)
    assert Client().get(appeal_url(token)).status_code == 400
