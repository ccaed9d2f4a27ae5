"""A token request from staff without 2FA is refused with the same code as a session's
request, so an API client can tell "set up 2FA" from any other 403."""

from __future__ import annotations

from django.test import Client
from knox.models import AuthToken

from accounts.models import Role

from .conftest import make_person


def test_an_api_key_of_staff_without_2fa_is_refused_as_mfa_required(db, settings):
    # given: the production rule, and an agent without an authenticator
    settings.BEACON_STAFF_MFA_REQUIRED = True
    agent = make_person("agent@example.test", role=Role.AGENT, staff=True)
    _token, key = AuthToken.objects.create(user=agent)
    # when
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/tickets/")
    # then: the code a signed-in session gets from the middleware
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"
