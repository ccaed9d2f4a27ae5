"""allauth's pages as a screen-reader user meets them: each window title names its page,
in both languages, and a refused sign-in is announced and marks the fields it concerns."""

from __future__ import annotations

import re
from html import unescape

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

from tests.accounts.twofactor.conftest import give_totp, make_person, password_step

DEFAULT_TITLES = {"Beacon Help Centre · Beacon", "Beacon 帮助中心 · Beacon"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-GB"}

ANONYMOUS_PAGES = {
    "/accounts/login/": "Sign In",
    "/accounts/signup/": "Signup",
    "/accounts/password/reset/": "Password Reset",
    "/accounts/password/reset/done/": "Password Reset",
    "/accounts/confirm-email/": "Verify Your Email Address",
    "/accounts/confirm-email/no-such-key/": "Confirm Email Address",
    "/accounts/password/reset/key/1-no-such-key/": "Change Password",
}
SIGNED_IN_PAGES = {
    "/accounts/email/": "Email Addresses",
    "/accounts/password/change/": "Change Password",
    "/accounts/logout/": "Sign Out",
    "/accounts/2fa/": "Two-Factor Authentication",
    "/accounts/reauthenticate/": "Confirm Access",
    "/accounts/2fa/webauthn/": "Security Keys",
    "/accounts/sessions/": "Sessions",
}


def in_language(client, path: str, language: str, person=None):
    """The page as the browser's language asks, or the signed-in person's own language."""
    if person is not None:
        person.language = language
        person.save(update_fields=["language"])
    return client.get(path, **(ZH if language == "zh-hans" else EN))


def window_title(response) -> str:
    match = re.search(r"<title[^>]*>(.*?)</title>", response.content.decode(), re.S)
    assert match, "the page has no <title>"
    return " ".join(unescape(match.group(1)).split())


def assert_named_in_both_languages(client, path: str, english: str, person=None) -> None:
    en = window_title(in_language(client, path, "en", person))
    zh = window_title(in_language(client, path, "zh-hans", person))
    assert en == f"{english} · Beacon", path
    assert zh not in DEFAULT_TITLES and zh != en, path
    assert re.search(r"[\u4e00-\u9fff]", zh), f"{path}: {zh!r} is not in Chinese"


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "english"), ANONYMOUS_PAGES.items())
def test_allauth_page_title_names_the_page(client, path, english):
    assert_named_in_both_languages(client, path, english)


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "english"), SIGNED_IN_PAGES.items())
def test_allauth_signed_in_page_title_names_the_page(client, path, english):
    # given
    person = make_person("titles@example.test")
    give_totp(person)
    RecoveryCodes.activate(person)
    client.force_login(person)

    # then
    assert_named_in_both_languages(client, path, english, person)


@pytest.mark.django_db
def test_allauth_2fa_sign_in_step_title_names_the_page(client):
    # given: the password step passed; the code step is next
    person = make_person("two-step@example.test")
    give_totp(person)
    password_step(client, person)

    # then
    assert window_title(client.get("/accounts/2fa/authenticate/", **EN)) == "Sign In · Beacon"


@pytest.mark.django_db
def test_failed_sign_in_is_an_alert_the_fields_point_to(client):
    # given
    person = make_person("refused@example.test")

    # when
    response = password_step(client, person, password="not-the-password")
    page = response.content.decode()

    # then: the error is in a focusable alert, and both fields are invalid and described by it
    assert response.status_code == 200
    summary = re.search(
        r'<div class="form-errors" id="form-errors" role="alert" tabindex="-1"[^>]*>(.*?)</div>',
        page,
        re.S,
    )
    assert summary and "not correct" in summary.group(1)
    for name in ("login", "password"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in field, field
        assert re.search(r'aria-describedby="form-errors\b', field), field


@pytest.mark.django_db
def test_a_field_error_points_at_its_own_message_only(client):
    # when: a sign-up with an address that is no address
    response = client.post(
        "/accounts/signup/", {"email": "nope", "password1": "x", "password2": "x"}, **EN
    )
    page = response.content.decode()

    # then: no form-wide summary; the email field is described by its own error
    assert 'id="form-errors"' not in page
    field = re.search(r'<input[^>]*name="email"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_email_error"' in field
    assert 'id="id_email_error"' in page
