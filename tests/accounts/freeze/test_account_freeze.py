"""account_freeze: what a customer and an attacker notice once an account is frozen."""

from __future__ import annotations

import re

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from knox.models import AuthToken

from accounts import signals
from accounts.freeze.services import account_freeze, account_freeze_from_chat, account_unfreeze
from accounts.models import AccountFreeze, OneTimeLink, SecurityEvent
from tests.accounts.freeze.conftest import PASSWORD, signed_in

pytestmark = pytest.mark.django_db


def freeze(user, **extra) -> AccountFreeze:
    arguments = {"source": AccountFreeze.Source.SECURITY_PAGE, "reason": "", **extra}
    return account_freeze(user=user, **arguments)


def test_freezing_ends_every_session_tracked_or_not(mei):
    # given: Mei signed in on two browsers; allauth tracks the one that made a request
    laptop, phone = signed_in(mei), signed_in(mei)
    assert laptop.get("/account/security/").status_code == 200
    assert UserSession.objects.filter(user=mei).count() == 1
    assert Session.objects.count() == 2
    # when
    freeze(mei)
    # then: the tracked session's row is gone, and both browsers are signed out
    assert UserSession.objects.filter(user=mei).count() == 0
    assert Session.objects.count() == 1
    for browser in (laptop, phone):
        response = browser.get("/account/security/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_freezing_leaves_other_peoples_sessions_alone(mei, user_factory):
    sam = user_factory(email="sam@example.test")
    sam_browser = signed_in(sam)
    freeze(mei)
    assert sam_browser.get("/account/security/").status_code == 200


def test_freezing_refuses_the_api_token(mei):
    # given: Mei's API token works
    _token, key = AuthToken.objects.create(user=mei)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/tickets/").status_code == 200
    # when
    freeze(mei)
    # then
    assert api.get("/api/v1/tickets/").status_code == 401
    assert not AuthToken.objects.filter(user=mei).exists()


def test_a_frozen_account_cannot_sign_in_even_with_the_right_password(mei):
    freeze(mei)
    response = Client().post(
        "/accounts/login/", {"login": mei.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/accounts/inactive/"
    page = response.content.decode()
    assert "Your account is frozen" in page
    assert "/account/freeze/appeal/" in page
    assert "_auth_user_id" not in response.wsgi_request.session


def test_the_frozen_sign_in_page_speaks_chinese():
    response = Client().get("/accounts/inactive/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_freezing_records_who_and_why(mei, agent):
    frozen = freeze(mei, source=AccountFreeze.Source.AGENT, actor=agent, reason="Caller lost phone")
    assert (frozen.actor, frozen.reason, frozen.source) == (agent, "Caller lost phone", "agent")
    event = SecurityEvent.objects.get(user=mei, kind=SecurityEvent.Kind.FROZEN)
    assert event.actor == agent
    assert event.detail["reason"] == "Caller lost phone"
    assert event.detail["freeze_id"] == frozen.id


def test_the_customer_gets_an_email_with_an_appeal_link_that_works(mei, deliver_outbox):
    freeze(mei)
    assert deliver_outbox() == 1
    (message,) = mail.outbox
    assert message.to == [mei.email]
    assert message.subject == "[Beacon] Your account is frozen"
    url = re.search(r"https?://[^/\s]+(/account/freeze/appeal/\S+/)", message.body)
    assert url is not None
    link = OneTimeLink.objects.get(user=mei, purpose=OneTimeLink.Purpose.APPEAL)
    assert round((link.expires_at - link.created_at).total_seconds() / 86400) == 30
    page = Client().get(url.group(1))
    assert page.status_code == 200 and "Appeal the freeze" in page.content.decode()


def test_freezing_twice_returns_the_active_freeze_and_does_nothing_more(mei, deliver_outbox):
    first = freeze(mei)
    again = freeze(mei, source=AccountFreeze.Source.CHAT_BOT, reason="again")
    assert again.id == first.id
    assert AccountFreeze.objects.filter(user=mei).count() == 1
    assert SecurityEvent.objects.filter(user=mei, kind=SecurityEvent.Kind.FROZEN).count() == 1
    assert deliver_outbox() == 1


def test_the_frozen_signal_goes_out_after_commit_only(
    mei, django_capture_on_commit_callbacks, complete_effects
):
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    signals.account_frozen.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            frozen = freeze(mei)
            assert heard == []
        assert heard == []  # recorded with the freeze; the effect's task sends it
        assert complete_effects() == 1
    finally:
        signals.account_frozen.disconnect(listener)
    assert heard[0]["user"] == mei and heard[0]["freeze"] == frozen


def test_the_chat_bot_freezes_as_the_customer(mei):
    frozen = account_freeze_from_chat(user=mei, reason="Customer typed: freeze my account")
    assert frozen.source == AccountFreeze.Source.CHAT_BOT and frozen.actor is None
    mei.refresh_from_db()
    assert not mei.is_active


def test_unfreezing_lets_the_customer_sign_in_again(mei, reviewer):
    frozen = freeze(mei)
    lifted = account_unfreeze(user=mei, actor=reviewer, reason="appeal approved")
    assert lifted.id == frozen.id and lifted.lifted_by == reviewer
    mei.refresh_from_db()
    assert mei.is_active
    assert SecurityEvent.objects.filter(user=mei, kind=SecurityEvent.Kind.UNFROZEN).exists()
    assert account_unfreeze(user=mei, actor=reviewer) is None
