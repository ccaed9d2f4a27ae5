"""Changing the email address: allauth re-authenticates; the OLD address hears about it."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import SecurityEvent, User
from tests.accounts.security.conftest import (
    browser,
    first_link,
    html_of,
    mails_to,
    reauthenticate,
    sign_in,
)

pytestmark = pytest.mark.django_db

NEW = "alice.new@example.test"


def test_an_email_change_alerts_the_old_address_with_the_code_and_is_recorded(alice):
    # given: Alice with an anti-phishing code, signed in, password typed again
    alice.anti_phishing_code = "Blue-Owl-7"
    alice.save()
    client = browser()
    sign_in(client, alice.email)
    reauthenticate(client)
    # when: she adds a new address, confirms it and makes it her main one
    client.post("/accounts/email/", {"action_add": "", "email": NEW})
    client.post(first_link(mails_to(NEW)[0].body, "/accounts/confirm-email/"))
    mail.outbox.clear()
    response = client.post("/accounts/email/", {"action_primary": "", "email": NEW})
    # then: the account uses the new address
    assert response.status_code == 302
    assert User.objects.get(pk=alice.pk).email == NEW
    # and the old address got the notice, naming both, with her code in the usual place
    (notice,) = mails_to("alice@example.test")
    assert "alice@example.test" in notice.body and NEW in notice.body
    assert "Anti-phishing code: Blue-Owl-7" in notice.body
    assert 'id="anti-phishing-code"' in html_of(notice) and "Blue-Owl-7" in html_of(notice)
    event = SecurityEvent.objects.get(user=alice, kind=SecurityEvent.Kind.EMAIL_CHANGED)
    assert event.detail == {"old_email": "alice@example.test", "new_email": NEW}
    html = client.get("/account/security/history/").content.decode()
    assert "Email address changed" in html and NEW in html


def test_adding_an_address_needs_the_password_again(alice):
    client = browser()
    client.force_login(alice)
    response = client.post("/accounts/email/", {"action_add": "", "email": NEW})
    assert response.status_code == 302 and response.url.startswith("/accounts/reauthenticate/")
    assert mails_to(NEW) == []
