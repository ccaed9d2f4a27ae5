"""Every sign-in, failed attempt and sign-out lands in the person's own history page."""

from __future__ import annotations

import json

import pytest

from accounts.models import SecurityEvent
from tests.accounts.security.conftest import (
    IPHONE_SAFARI,
    PASSWORD,
    browser,
    make_person,
    sign_in,
)

pytestmark = pytest.mark.django_db

HISTORY = "/account/security/history/"


def test_a_sign_in_is_recorded_with_time_ip_and_browser(alice):
    # given / when: Alice signs in on her iPhone
    client = browser(ip="198.51.100.7", agent=IPHONE_SAFARI)
    response = sign_in(client, alice.email, ip="198.51.100.7", agent=IPHONE_SAFARI)
    # then: signed in, and her history says when, from where and on what
    assert response.status_code == 302
    event = SecurityEvent.objects.get(user=alice, kind=SecurityEvent.Kind.SIGN_IN)
    assert event.ip == "198.51.100.7"
    html = client.get(HISTORY).content.decode()
    assert "Signed in" in html and "198.51.100.7" in html
    assert "Mobile Safari 17 on iPhone" in html
    assert event.created_at.strftime("%Y-%m-%d %H:%M") in html


def test_a_wrong_password_is_recorded_against_the_account_without_the_password(alice):
    # when: someone tries Alice's address with a wrong password
    attacker = browser(ip="192.0.2.66")
    response = sign_in(attacker, alice.email.upper(), password="guess-Number-1", ip="192.0.2.66")
    # then: refused; the attempt is on Alice's trail, the typed password nowhere
    assert response.status_code == 200
    failed = SecurityEvent.objects.get(user=alice, kind=SecurityEvent.Kind.SIGN_IN_FAILED)
    assert failed.ip == "192.0.2.66"
    stored = json.dumps([failed.detail, failed.user_agent])
    assert "guess-Number-1" not in stored and "*****" not in stored
    client = browser()
    sign_in(client, alice.email)
    html = client.get(HISTORY).content.decode()
    assert "Failed sign-in attempt" in html and "192.0.2.66" in html


def test_a_wrong_password_for_an_unknown_address_records_nothing(db):
    sign_in(browser(), "nobody@example.test", password="guess-Number-1")
    assert not SecurityEvent.objects.exists()


def test_signing_out_is_recorded(alice):
    client = browser()
    sign_in(client, alice.email)
    client.post("/accounts/logout/")
    assert SecurityEvent.objects.filter(user=alice, kind=SecurityEvent.Kind.SIGN_OUT).exists()


def test_history_shows_every_kind_of_event_newest_first_in_pages(alice):
    # given: 30 events of several kinds (a page holds 25)
    kinds = [SecurityEvent.Kind.SIGN_IN, SecurityEvent.Kind.CODE_SET, SecurityEvent.Kind.FROZEN]
    for number in range(30):
        SecurityEvent.objects.create(user=alice, kind=kinds[number % 3], ip=f"192.0.2.{number}")
    client = browser()
    client.force_login(alice)
    # when
    first = client.get(HISTORY).content.decode()
    second = client.get(HISTORY + "?page=2").content.decode()
    # then: the newest on page one, the oldest on page two, every kind shown
    assert "192.0.2.29" in first and "192.0.2.0" not in first
    assert "192.0.2.0" in second and "192.0.2.29" not in second
    assert "Page 1 of 2" in first
    for label in ("Signed in", "Anti-phishing code set", "Account frozen"):
        assert label in first


def test_history_shows_only_the_customers_own_events_whatever_the_query(alice):
    # given: Bob's failed sign-in from an address Alice must not see
    bob = make_person("bob@example.test")
    sign_in(browser(ip="192.0.2.99"), bob.email, password="wrong-Password-9", ip="192.0.2.99")
    client = browser()
    client.force_login(alice)
    # when: Alice tries to point the page at Bob
    for query in (f"?user={bob.id}", f"?uid={bob.uid}", f"?user_id={bob.id}&page=1"):
        html = client.get(HISTORY + query).content.decode()
        # then: her own (empty) history only
        assert "192.0.2.99" not in html and "Nothing recorded yet." in html


def test_history_needs_sign_in(client):
    response = client.get(HISTORY)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_bad_page_number_shows_a_page_not_an_error(alice):
    client = browser()
    client.force_login(alice)
    for page in ("x", "-1", "99999", "1" * 5000):
        assert client.get(HISTORY, {"page": page}).status_code == 200


def test_the_security_page_lists_recent_sign_ins(alice):
    client = browser(ip="198.51.100.23")
    sign_in(client, alice.email, ip="198.51.100.23")
    html = client.get("/account/security/").content.decode()
    assert "Recent sign-ins" in html and "198.51.100.23" in html
    assert "Chrome 120 on Windows" in html
    assert 'href="/account/security/history/"' in html


def test_the_password_is_never_kept_even_with_a_matching_second_address(alice):
    # the failure is found by a secondary address too
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=alice, email="alice.work@example.test", verified=True)
    sign_in(browser(), "alice.work@example.test", password=PASSWORD + "x")
    assert (
        SecurityEvent.objects.filter(user=alice, kind=SecurityEvent.Kind.SIGN_IN_FAILED).count()
        == 1
    )
