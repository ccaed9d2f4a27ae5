"""The anti-phishing code: set behind re-authentication, alerted, shown in every email."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import SecurityEvent, User
from tests.accounts.security.conftest import (
    PASSWORD,
    browser,
    first_link,
    html_of,
    mails_to,
    reauthenticate,
    sign_in,
)

pytestmark = pytest.mark.django_db

CODE_URL = "/account/security/code/"


@pytest.fixture
def signed_in(alice):
    """Alice, signed in through the login form, who just typed her password again."""
    client = browser()
    sign_in(client, alice.email)
    reauthenticate(client)
    return client


def test_setting_the_code_needs_the_password_again(alice, deliver_outbox):
    # given: a session that did not just type the password
    client = browser()
    client.force_login(alice)
    # when
    response = client.get(CODE_URL)
    # then: allauth asks for the password first, then comes back
    assert response.status_code == 302 and response.url.startswith("/accounts/reauthenticate/")
    back = client.post(response.url, {"password": PASSWORD})
    assert back.status_code == 302 and back.url == CODE_URL
    assert client.post(CODE_URL, {"code": "Blue-Owl-7"}).status_code == 302
    alice.refresh_from_db()
    assert alice.anti_phishing_code == "Blue-Owl-7"


def test_a_post_without_recent_password_changes_nothing(alice):
    client = browser()
    client.force_login(alice)
    response = client.post(CODE_URL, {"code": "Blue-Owl-7"})
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response.url
    alice.refresh_from_db()
    assert alice.anti_phishing_code == ""


def test_setting_the_code_records_it_alerts_and_shows_it_masked(alice, signed_in, deliver_outbox):
    # when
    response = signed_in.post(CODE_URL, {"code": "Blue-Owl-7"})
    # then: back on the security page, which shows the code masked
    assert response.status_code == 302 and response.url == "/account/security/"
    html = signed_in.get("/account/security/").content.decode()
    assert "Bl••••••••" in html and "Blue-Owl-7" not in html
    assert 'href="/account/security/code/"' in html
    event = SecurityEvent.objects.get(user=alice, kind=SecurityEvent.Kind.CODE_SET)
    assert "Blue-Owl-7" not in str(event.detail)
    deliver_outbox()
    (alert,) = [m for m in mails_to(alice.email) if "anti-phishing code" in m.subject]
    assert "Blue-Owl-7" in alert.body and "Blue-Owl-7" in html_of(alert)
    assert "Anti-phishing code set" in signed_in.get("/account/security/history/").content.decode()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter an anti-phishing code."),
        ("   ", "Enter an anti-phishing code."),
        ("abc", "4 to 20 characters long"),
        ("A" * 21, "4 to 20 characters long"),
        ("A" * 5000, "4 to 20 characters long"),
        ("Blue Owl", "letters A–Z, digits and hyphens"),
        ("<script>", "letters A–Z, digits and hyphens"),
        ("蓝色猫头鹰", "letters A–Z, digits and hyphens"),
        ("Вlue-Owl", "letters A–Z, digits and hyphens"),  # a Cyrillic В
    ],
    ids=["empty", "spaces", "short", "21", "5000", "space", "markup", "chinese", "lookalike"],
)
def test_a_bad_code_gets_a_clear_error_and_saves_nothing(alice, signed_in, code, message):
    # given: a code already set
    signed_in.post(CODE_URL, {"code": "Blue-Owl-7"})
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.CODE_SET).count()
    # when
    response = signed_in.post(CODE_URL, {"code": code})
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.anti_phishing_code == "Blue-Owl-7"
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.CODE_SET).count() == events


def test_the_form_says_which_characters_are_allowed(signed_in):
    html = signed_in.get(CODE_URL).content.decode()
    assert "4 to 20 characters: letters A–Z (upper or lower case), digits and hyphens" in html


def test_sign_up_set_a_code_then_the_password_reset_mail_shows_it(client):
    # given: a new customer signs up and confirms their address
    client.post(
        "/accounts/signup/",
        {"email": "new@example.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    confirm = first_link(mail.outbox[-1].body, "/accounts/confirm-email/")
    client.post(confirm)
    # and sets a code, typing the password again
    reauthenticate(client)
    assert client.post(CODE_URL, {"code": "Moon-42"}).status_code == 302
    client.post("/accounts/logout/")
    mail.outbox.clear()
    # when: a password reset is asked for
    client.post("/accounts/password/reset/", {"email": "new@example.test"})
    # then: the reset email shows the code in the layout's place, text and HTML
    (reset,) = mails_to("new@example.test")
    assert "/accounts/password/reset/key/" in reset.body
    assert "Anti-phishing code: Moon-42" in reset.body
    assert re.search(r'id="anti-phishing-code".*Moon-42', html_of(reset), re.S)
    assert reset.body.index("Moon-42") < reset.body.index("/accounts/password/reset/key/")


def test_the_verification_mail_of_a_new_address_shows_the_code(alice, signed_in):
    # given
    signed_in.post(CODE_URL, {"code": "Blue-Owl-7"})
    mail.outbox.clear()
    # when: Alice adds a second address
    signed_in.post("/accounts/email/", {"action_add": "", "email": "alice.new@example.test"})
    # then: the verification mail to it carries her code
    (verify,) = mails_to("alice.new@example.test")
    assert "/accounts/confirm-email/" in verify.body
    assert "Anti-phishing code: Blue-Owl-7" in verify.body
    assert "Blue-Owl-7" in html_of(verify)


def test_the_password_changed_notice_shows_the_code_and_is_recorded(alice, signed_in):
    signed_in.post(CODE_URL, {"code": "Blue-Owl-7"})
    mail.outbox.clear()
    # when
    response = signed_in.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "Another-Tiger-77", "password2": "Another-Tiger-77"},
    )
    # then
    assert response.status_code == 302
    (notice,) = mails_to(alice.email)
    assert "Anti-phishing code: Blue-Owl-7" in notice.body and "Blue-Owl-7" in html_of(notice)
    assert SecurityEvent.objects.filter(
        user=alice, kind=SecurityEvent.Kind.PASSWORD_CHANGED
    ).exists()


def test_a_mail_to_someone_without_a_code_shows_no_code_block(client, alice):
    client.post("/accounts/password/reset/", {"email": alice.email})
    (reset,) = mails_to(alice.email)
    assert "Anti-phishing code" not in reset.body
    assert 'id="anti-phishing-code"' not in html_of(reset)
    assert "Beacon staff will never ask for your password" in reset.body


def test_the_password_reset_is_recorded(client, alice):
    client.post("/accounts/password/reset/", {"email": alice.email})
    key_path = first_link(mail.outbox[-1].body, "/accounts/password/reset/key/")
    form = client.get(key_path)
    form_path = form.url if form.status_code == 302 else key_path
    response = client.post(
        form_path, {"password1": "Another-Tiger-77", "password2": "Another-Tiger-77"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=alice.pk).check_password("Another-Tiger-77")
    assert SecurityEvent.objects.filter(user=alice, kind=SecurityEvent.Kind.PASSWORD_RESET).exists()
