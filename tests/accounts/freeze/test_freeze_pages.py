"""Freezing from the security page, from the "This wasn't me" link, and by an agent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, RequestFactory

from accounts.models import AccountFreeze, OneTimeLink, SecurityEvent, User
from core.ratelimits import rate_allowed
from tests.accounts.freeze.conftest import signed_in, token_for

pytestmark = pytest.mark.django_db


def frozen(user: User) -> bool:
    user.refresh_from_db()
    return not user.is_active and AccountFreeze.objects.filter(user=user).exists()


# ---------------------------------------------------------------- the security page


def test_the_security_page_offers_the_freeze_button(mei):
    page = signed_in(mei).get("/account/security/").content.decode()
    assert "Freeze my account" in page and 'action="/account/freeze/"' in page


def test_freezing_from_the_security_page_asks_first_then_signs_out(mei):
    browser = signed_in(mei)
    # the button leads to a confirmation; nothing is frozen yet
    confirm = browser.get("/account/freeze/")
    assert confirm.status_code == 200 and "Yes, freeze my account now" in confirm.content.decode()
    assert not frozen(mei)
    # confirming freezes, signs out and explains how to appeal
    response = browser.post("/account/freeze/", {"reason": "I clicked a phishing link"})
    assert response.status_code == 302 and response["Location"] == "/account/freeze/frozen/"
    done = browser.get(response["Location"]).content.decode()
    assert "Your account is frozen" in done and "/account/freeze/appeal/" in done
    assert frozen(mei)
    freeze = AccountFreeze.objects.get(user=mei)
    assert freeze.source == "security_page" and freeze.reason == "I clicked a phishing link"
    assert freeze.actor is None
    assert browser.get("/account/security/").status_code == 302  # signed out


def test_the_reason_is_optional_but_not_endless(mei):
    browser = signed_in(mei)
    assert browser.post("/account/freeze/", {"reason": "x" * 2001}).status_code == 200
    assert not frozen(mei)
    assert browser.post("/account/freeze/", {}).status_code == 302
    assert frozen(mei)


def test_the_security_page_freeze_is_rate_limited(mei, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "freeze": "1/h/user"}
    earlier = RequestFactory().post("/account/freeze/")
    earlier.user = mei
    assert rate_allowed(earlier, action="freeze", user=mei)
    response = signed_in(mei).post("/account/freeze/", {"reason": ""})
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert not frozen(mei)


def test_the_freeze_page_needs_a_sign_in():
    response = Client().post("/account/freeze/", {})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# ---------------------------------------------------------------- "This wasn't me"


def not_me_url(token: str) -> str:
    return f"/account/freeze/not-me/{token}/"


def test_the_not_me_link_confirms_first_and_works_without_signing_in(mei):
    _link, token = token_for(mei, OneTimeLink.Purpose.NOT_ME)
    stranger = Client()
    page = stranger.get(not_me_url(token))
    assert page.status_code == 200 and mei.email in page.content.decode()
    assert not frozen(mei)
    response = stranger.post(not_me_url(token))
    assert response.status_code == 302 and response["Location"] == "/account/freeze/frozen/"
    assert frozen(mei)
    assert AccountFreeze.objects.get(user=mei).source == "alert_link"
    assert SecurityEvent.objects.filter(user=mei, kind="frozen").count() == 1


def test_the_not_me_link_kills_the_thiefs_session(mei):
    thief = signed_in(mei)
    assert thief.get("/account/security/").status_code == 200
    _link, token = token_for(mei, OneTimeLink.Purpose.NOT_ME)
    Client().post(not_me_url(token))
    assert thief.get("/account/security/").status_code == 302


def test_the_not_me_link_works_once(mei):
    _link, token = token_for(mei, OneTimeLink.Purpose.NOT_ME)
    assert Client().post(not_me_url(token)).status_code == 302
    for method in ("get", "post"):
        again = getattr(Client(), method)(not_me_url(token))
        assert again.status_code == 410
        assert "expired or was already used" in again.content.decode()


def test_an_expired_not_me_link_is_gone(mei):
    link, token = token_for(mei, OneTimeLink.Purpose.NOT_ME, lifetime=timedelta(minutes=30))
    OneTimeLink.objects.filter(id=link.id).update(expires_at=link.created_at - timedelta(1))
    response = Client().post(not_me_url(token))
    assert response.status_code == 410
    assert not frozen(mei)


@pytest.mark.parametrize("forge", ["tampered", "garbage", "too_long"])
def test_a_forged_not_me_link_is_refused(mei, forge):
    _link, token = token_for(mei, OneTimeLink.Purpose.NOT_ME)
    forged = {
        "tampered": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "garbage": "not-a-token",
        "too_long": "a" * 300,
    }[forge]
    for method in ("get", "post"):
        response = getattr(Client(), method)(not_me_url(forged))
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert not frozen(mei)


def test_a_link_for_another_purpose_does_not_freeze(mei):
    _link, token = token_for(mei, OneTimeLink.Purpose.APPEAL)
    assert Client().post(not_me_url(token)).status_code == 400
    assert not frozen(mei)


def test_the_not_me_link_is_rate_limited(mei, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "freeze_link": "2/h/ip"}
    browser = Client()
    for _ in range(2):
        assert browser.get(not_me_url("guess")).status_code == 400
    _link, token = token_for(mei, OneTimeLink.Purpose.NOT_ME)
    assert browser.post(not_me_url(token)).status_code == 429
    assert not frozen(mei)


# ---------------------------------------------------------------- an agent, on the phone


def agent_url(user: User) -> str:
    return f"/console/security/freeze/{user.uid}/"


def test_an_agent_freezes_for_a_verified_customer(mei, agent):
    console = signed_in(agent)
    assert "I verified the customer by phone" in console.get(agent_url(mei)).content.decode()
    response = console.post(
        agent_url(mei), {"reason": "Lost phone, verified by UID and KYC", "verified_by_phone": "on"}
    )
    assert response.status_code == 302
    assert frozen(mei)
    freeze = AccountFreeze.objects.get(user=mei)
    assert freeze.actor == agent and freeze.source == "agent"
    assert SecurityEvent.objects.get(user=mei, kind="frozen").actor == agent
    assert "frozen since" in console.get(agent_url(mei)).content.decode()


@pytest.mark.parametrize(
    "data", [{"reason": "verified", "verified_by_phone": ""}, {"verified_by_phone": "on"}]
)
def test_an_agent_needs_a_reason_and_the_phone_check(mei, agent, data):
    response = signed_in(agent).post(agent_url(mei), data)
    assert response.status_code == 400
    assert not frozen(mei)


def test_supervisors_and_reviewers_may_freeze_too(mei, reviewer):
    response = signed_in(reviewer).post(
        agent_url(mei), {"reason": "verified", "verified_by_phone": "on"}
    )
    assert response.status_code == 302 and frozen(mei)


def test_customers_cannot_use_the_agent_freeze(mei, user_factory):
    sam = user_factory(email="sam@example.test")
    response = signed_in(sam).post(agent_url(mei), {"reason": "x", "verified_by_phone": "on"})
    assert response.status_code == 403
    assert not frozen(mei)
    anonymous = Client().get(agent_url(mei))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_an_unknown_uid_is_404(agent):
    assert signed_in(agent).get("/console/security/freeze/999999999/").status_code == 404
