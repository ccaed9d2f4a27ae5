"""Staff need 2FA for the console, admin and API; a removed 2FA must be set up again."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client
from knox.models import AuthToken

from accounts.models import Role, SecurityEvent

from .conftest import PASSWORD, give_totp, make_person, password_step, reauthenticate

STAFF_PATHS = ["/console/", "/admin/", "/api/v1/tickets/"]
ACTIVATE = "/accounts/2fa/totp/activate/"


@pytest.fixture
def agent(db):
    return make_person("agent@example.test", role=Role.AGENT, staff=True)


@pytest.fixture
def staff_rule_on(settings):
    settings.BEACON_STAFF_MFA_REQUIRED = True


@pytest.mark.parametrize("path", STAFF_PATHS[:2])
def test_staff_without_2fa_are_sent_to_set_it_up(client, agent, staff_rule_on, path):
    client.force_login(agent)

    response = client.get(path, follow=True)

    assert response.redirect_chain[0] == (ACTIVATE, 302)
    assert "Staff must use two-factor authentication" in response.content.decode()


def test_the_api_answers_staff_without_2fa_with_a_403_json(client, agent, staff_rule_on):
    client.force_login(agent)

    response = client.get("/api/v1/tickets/")

    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_an_api_token_of_staff_without_2fa_is_refused_too(agent, staff_rule_on):
    # given: a token (no session, so the middleware does not see who it is)
    _token, key = AuthToken.objects.create(user=agent)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    # then: refused until the agent sets up 2FA
    assert api.get("/api/v1/tickets/").status_code == 403
    give_totp(agent)
    assert api.get("/api/v1/tickets/").status_code == 200


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_staff_with_2fa_get_through(client, agent, staff_rule_on, path):
    give_totp(agent)
    client.force_login(agent)

    response = client.get(path)

    assert response.status_code != 403
    assert response.get("Location") != ACTIVATE


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_the_rule_off_lets_staff_without_2fa_through(client, agent, settings, path):
    settings.BEACON_STAFF_MFA_REQUIRED = False
    client.force_login(agent)

    response = client.get(path)

    assert response.status_code != 403
    assert response.get("Location") != ACTIVATE


def test_the_2fa_pages_sign_out_and_customer_pages_stay_open_to_staff_without_2fa(
    client, agent, staff_rule_on
):
    password_step(client, agent)
    reauthenticate(client)  # allauth asks for the password again before a 2FA change

    assert client.get(ACTIVATE).status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200
    assert client.get("/account/security/").status_code == 200
    assert client.get("/static/css/beacon.css").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_customers_are_not_held_to_the_staff_rule(client, person, staff_rule_on):
    client.force_login(person)

    response = client.get("/api/v1/tickets/")

    assert response.status_code == 200


# ---------------------------------------------------------------- re-enrolment


@pytest.fixture
def must_reenrol(person):
    person.mfa_reenrolment_required = True
    person.save(update_fields=["mfa_reenrolment_required"])
    return person


@pytest.mark.parametrize("path", ["/", "/requests/", "/account/security/", "/account/preferences/"])
def test_reenrolment_allows_nothing_but_setting_2fa_up_again(client, must_reenrol, path):
    client.force_login(must_reenrol)

    response = client.get(path, follow=True)

    assert response.redirect_chain[0] == (ACTIVATE, 302)
    assert "Set it up again before you continue" in response.content.decode()


def test_reenrolment_refuses_the_api_with_a_403_json(client, must_reenrol):
    client.force_login(must_reenrol)

    assert client.get("/api/v1/tickets/").status_code == 403


def test_reenrolment_leaves_setup_sign_out_language_and_static_files_open(client, must_reenrol):
    password_step(client, must_reenrol)
    reauthenticate(client)

    assert client.get(ACTIVATE).status_code == 200
    assert client.get("/static/css/beacon.css").status_code == 200
    language = client.post("/account/language", {"language": "zh-hans", "next": ACTIVATE})
    assert language.status_code == 302
    assert client.post("/accounts/logout/").status_code == 302


def test_reenrolment_lets_an_old_session_reauthenticate_to_set_up(client, must_reenrol):
    client.force_login(must_reenrol)  # allauth asks for the password first
    asked = client.get(ACTIVATE)
    assert asked.status_code == 302 and asked["Location"].startswith("/accounts/reauthenticate/")

    client.post("/accounts/reauthenticate/", {"password": PASSWORD})

    assert client.get(ACTIVATE).status_code == 200


# allauth sends authenticator_added after commit, inside the request: real transactions.
@pytest.mark.django_db(transaction=True)
def test_setting_up_totp_ends_the_reenrolment(client, must_reenrol):
    password_step(client, must_reenrol)
    reauthenticate(client)
    page = client.get(ACTIVATE)

    secret = page.context["form"].secret
    response = client.post(ACTIVATE, {"code": pyotp.TOTP(secret).now()})

    assert response.status_code == 302
    must_reenrol.refresh_from_db()
    assert must_reenrol.mfa_reenrolment_required is False
    assert SecurityEvent.objects.filter(
        user=must_reenrol, kind=SecurityEvent.Kind.MFA_ADDED, detail__type="totp"
    ).exists()
    assert client.get("/account/security/").status_code == 200
