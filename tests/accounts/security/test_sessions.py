"""Active sessions on the security page, and "sign out everywhere else"."""

from __future__ import annotations

import pytest

from accounts.models import SecurityEvent
from tests.accounts.security.conftest import IPHONE_SAFARI, browser, sign_in

pytestmark = pytest.mark.django_db

END_OTHERS = "/account/security/sessions/end-others/"


def test_the_security_page_lists_where_the_customer_is_signed_in(alice):
    laptop, phone = browser(), browser(ip="198.51.100.5", agent=IPHONE_SAFARI)
    sign_in(laptop, alice.email)
    sign_in(phone, alice.email, ip="198.51.100.5", agent=IPHONE_SAFARI)
    html = laptop.get("/account/security/").content.decode()
    assert "Chrome 120 on Windows" in html and "this browser" in html
    assert "Mobile Safari 17 on iPhone" in html and "198.51.100.5" in html


def test_sign_out_everywhere_else_ends_the_other_sessions_only(alice):
    # given: Alice on her laptop, and two other browsers signed in as her
    laptop = browser()
    others = [browser(ip="198.51.100.5", agent=IPHONE_SAFARI), browser(ip="192.0.2.8")]
    sign_in(laptop, alice.email)
    for other in others:
        sign_in(other, alice.email, ip=other.defaults["REMOTE_ADDR"])
        assert other.get("/account/security/").status_code == 200
    # when
    response = laptop.post(END_OTHERS)
    # then: the others are signed out, the laptop is not, and the trail says so
    assert response.status_code == 302 and response.url == "/account/security/"
    for other in others:
        gone = other.get("/account/security/")
        assert gone.status_code == 302 and gone.url.startswith("/accounts/login/")
    assert laptop.get("/account/security/").status_code == 200
    event = SecurityEvent.objects.get(user=alice, kind=SecurityEvent.Kind.SESSIONS_ENDED)
    assert event.detail["ended"] == 2
    html = laptop.get("/account/security/history/").content.decode()
    assert "Other sessions signed out" in html and "2 sessions ended" in html


def test_sign_out_everywhere_else_is_a_post_for_signed_in_people_only(client, alice):
    assert client.post(END_OTHERS).status_code == 302  # to the login page
    assert not SecurityEvent.objects.exists()
    client.force_login(alice)
    assert client.get(END_OTHERS).status_code == 405
