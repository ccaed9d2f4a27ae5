"""A sign-in from a new browser or network emails an alert with a "This wasn't me" link."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import resolve

from accounts.links import link_peek
from accounts.models import KnownDevice, OneTimeLink, SecurityEvent
from accounts.security.devices import DEVICE_COOKIE
from accounts.security.notices import NEW_DEVICE
from notifications import kind_get
from tests.accounts.security.conftest import (
    IPHONE_SAFARI,
    browser,
    first_link,
    html_of,
    mails_to,
    sign_in,
)

pytestmark = pytest.mark.django_db

NOT_ME_PATH = "/account/freeze/not-me/"


def alerts_to(address):
    return [m for m in mails_to(address) if "New sign-in" in m.subject]


def test_the_very_first_sign_in_only_remembers_the_device(alice, deliver_outbox):
    # when
    client = browser()
    sign_in(client, alice.email)
    deliver_outbox()
    # then: no alert, no NEW_DEVICE; the browser is known by the hash of its cookie only
    assert alerts_to(alice.email) == []
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.NEW_DEVICE).exists()
    cookie = client.cookies[DEVICE_COOKIE].value
    device = KnownDevice.objects.get(user=alice)
    assert device.device_hash == hashlib.sha256(cookie.encode()).hexdigest()
    assert cookie not in device.device_hash and device.network == "203.0.113.0/24"


def test_the_device_cookie_is_long_lived_and_hidden_from_scripts(client):
    # (the sign-in page: help pages cached for everyone set no cookie, tests/helpcenter)
    response = client.get("/accounts/login/")
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    # and a browser that has one keeps it
    assert DEVICE_COOKIE not in client.get("/accounts/login/").cookies


def test_signing_in_again_from_the_same_browser_and_network_sends_nothing(alice, deliver_outbox):
    client = browser()
    sign_in(client, alice.email)
    client.post("/accounts/logout/")
    sign_in(client, alice.email, ip="203.0.113.77")  # same /24
    deliver_outbox()
    assert alerts_to(alice.email) == []


def test_a_second_browser_gets_the_customer_an_alert_with_a_this_wasnt_me_link(
    alice, deliver_outbox
):
    # given: Alice signed in on her laptop before
    sign_in(browser(), alice.email)
    # when: someone signs in from another browser on the same network
    thief = browser(agent=IPHONE_SAFARI)
    sign_in(thief, alice.email, agent=IPHONE_SAFARI)
    deliver_outbox()
    # then: one alert, saying what and with a link for this sign-in
    (alert,) = alerts_to(alice.email)
    assert "Mobile Safari 17 on iPhone" in alert.body and "203.0.113.10" in alert.body
    sign_in_event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SIGN_IN).latest("id")
    new_device = SecurityEvent.objects.get(user=alice, kind=SecurityEvent.Kind.NEW_DEVICE)
    assert new_device.detail["new_device"] is True and new_device.detail["new_network"] is False
    path = first_link(alert.body, NOT_ME_PATH)
    assert path in html_of(alert)
    assert resolve(path).url_name == "freeze-not-me"
    token = resolve(path).kwargs["token"]
    link = link_peek(token=token, purpose=OneTimeLink.Purpose.NOT_ME)
    assert link.user == alice and link.subject_id == sign_in_event.id
    assert round((link.expires_at - link.created_at).total_seconds()) == 24 * 3600
    assert "for 24 hours" in alert.body
    # the token is made when the email is rendered, not kept in the outbox
    from notifications.models import Notification

    row = Notification.objects.get(kind=NEW_DEVICE)
    assert token not in str(row.context)


def test_the_same_browser_on_a_new_network_gets_an_alert(alice, deliver_outbox):
    client = browser()
    sign_in(client, alice.email, ip="203.0.113.10")
    client.post("/accounts/logout/")
    sign_in(client, alice.email, ip="198.51.100.10")
    deliver_outbox()
    assert len(alerts_to(alice.email)) == 1
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.NEW_DEVICE)
    assert event.detail["new_network"] is True and event.detail["new_device"] is False
    assert event.detail["network"] == "198.51.100.0/24"


def test_ipv6_networks_are_compared_by_their_48_bit_prefix(alice, deliver_outbox):
    client = browser(ip="2001:db8:1:1::5")
    sign_in(client, alice.email, ip="2001:db8:1:1::5")
    client.post("/accounts/logout/")
    sign_in(client, alice.email, ip="2001:db8:1:ffff::9")  # same /48: nothing
    deliver_outbox()
    assert alerts_to(alice.email) == []
    client.post("/accounts/logout/")
    sign_in(client, alice.email, ip="2001:db8:2::9")  # another /48
    deliver_outbox()
    assert len(alerts_to(alice.email)) == 1


def test_the_new_device_alert_cannot_be_turned_off(alice):
    kind = kind_get(NEW_DEVICE)
    assert kind.essential
    client = browser()
    client.force_login(alice)
    html = client.get("/account/preferences/").content.decode()
    assert "Sign-in from a new device or network" in html


def test_a_forged_device_cookie_is_replaced(alice):
    client = browser()
    client.cookies[DEVICE_COOKIE] = "x" * 5000
    response = client.get("/accounts/login/")
    assert len(response.cookies[DEVICE_COOKIE].value) < 100
