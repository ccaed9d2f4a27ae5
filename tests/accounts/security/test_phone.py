"""The phone number: re-authenticated, validated, alerted by email, recorded."""

from __future__ import annotations

import pytest

from accounts.models import SecurityEvent
from tests.accounts.security.conftest import browser, mails_to, reauthenticate, sign_in

pytestmark = pytest.mark.django_db

PHONE_URL = "/account/security/phone/"


@pytest.fixture
def signed_in(alice):
    client = browser()
    sign_in(client, alice.email)
    reauthenticate(client)
    return client


def test_changing_the_phone_needs_the_password_again(alice):
    client = browser()
    client.force_login(alice)
    response = client.post(PHONE_URL, {"phone": "+86 138 0013 8000"})
    assert response.status_code == 302 and response.url.startswith("/accounts/reauthenticate/")
    alice.refresh_from_db()
    assert alice.phone == ""


def test_a_new_number_is_saved_alerted_and_recorded(alice, signed_in, deliver_outbox):
    # given: a number on file
    alice.phone = "+447700900123"
    alice.save()
    # when
    response = signed_in.post(PHONE_URL, {"phone": "+86 (138) 0013-8000"})
    # then: stored in E.164, shown masked on the security page
    assert response.status_code == 302 and response.url == "/account/security/"
    alice.refresh_from_db()
    assert alice.phone == "+8613800138000"
    html = signed_in.get("/account/security/").content.decode()
    assert "+86•••••••8000" in html and "+8613800138000" not in html
    event = SecurityEvent.objects.get(user=alice, kind=SecurityEvent.Kind.PHONE_CHANGED)
    assert event.detail == {"old_phone": "+44••••••0123", "new_phone": "+86•••••••8000"}
    deliver_outbox()
    (alert,) = [m for m in mails_to(alice.email) if "phone number" in m.subject]
    assert "+44••••••0123" in alert.body and "+86•••••••8000" in alert.body


@pytest.mark.parametrize(
    "phone",
    ["", "13800138000", "+0123456789", "+86 138 abc 8000", "+1234", "+1" + "2" * 20, "9" * 5000],
    ids=["empty", "no-plus", "zero-country", "letters", "short", "long", "5000"],
)
def test_a_bad_number_gets_a_clear_error_and_changes_nothing(alice, signed_in, phone):
    response = signed_in.post(PHONE_URL, {"phone": phone})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "country code" in html or "at most 32 characters" in html or "required" in html
    alice.refresh_from_db()
    assert alice.phone == ""
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PHONE_CHANGED).exists()


def test_the_same_number_again_sends_nothing(alice, signed_in, deliver_outbox):
    alice.phone = "+8613800138000"
    alice.save()
    signed_in.post(PHONE_URL, {"phone": "+86 138 0013 8000"})
    deliver_outbox()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PHONE_CHANGED).exists()
    assert [m for m in mails_to(alice.email) if "phone number" in m.subject] == []
