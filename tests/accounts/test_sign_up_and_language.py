from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_sign_up_sends_a_verification_email_then_verifying_signs_in(client):
    # given / when
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.test",
            "password1": "Zebra-Lantern-42",
            "password2": "Zebra-Lantern-42",
        },
    )
    # then
    assert response.status_code == 302
    user = User.objects.get(email="new@example.test")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", mail.outbox[0].body).group()
    path = link.split("testserver", 1)[-1]
    client.post(path)
    assert client.get("/account/preferences/").status_code == 200
    assert user.emailaddress_set.get().verified


def test_sign_up_in_chinese_stores_chinese_as_preferred_language(client):
    client.post(
        "/accounts/signup/",
        {
            "email": "zh@example.test",
            "password1": "Zebra-Lantern-42",
            "password2": "Zebra-Lantern-42",
        },
        HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9",
    )
    assert User.objects.get(email="zh@example.test").language == "zh-hans"


def test_sign_up_with_a_taken_email_reveals_nothing_and_creates_nothing(client, customer):
    # given: the address belongs to a customer; a stranger must not learn that
    # when
    response = client.post(
        "/accounts/signup/",
        {
            "email": customer.email.upper(),
            "password1": "Zebra-Lantern-42",
            "password2": "Zebra-Lantern-42",
        },
    )
    # then: the same answer as a fresh sign-up; the owner alone hears about it by mail
    assert response.status_code == 302 and response.url == "/accounts/confirm-email/"
    assert User.objects.filter(email__iexact=customer.email).count() == 1
    assert [m.to for m in mail.outbox] == [[customer.email]]


def test_pages_follow_accept_language(client):
    zh = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    en = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert 'lang="zh-hans"' in zh and "帮助中心" in zh
    assert 'lang="en"' in en and "Help centre" in en


def test_language_switch_sets_cookie_and_remembers_choice_for_signed_in_user(client, customer):
    client.force_login(customer)
    response = client.post("/account/language", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.language == "zh-hans"
    assert 'lang="zh-hans"' in client.get("/").content.decode()


def test_signed_in_users_saved_language_beats_accept_language(client, customer):
    customer.language = "zh-hans"
    customer.save()
    client.force_login(customer)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="zh-hans"' in page


def test_a_visitor_without_javascript_switches_language_on_a_cached_help_page(db):
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/").content.decode()  # served for the shared cache: no token in it
    form = re.search(r'<form class="language-switch"[^>]*>(.*?)</form>', page, re.S).group(1)
    hidden = [tag for tag in re.findall(r"<input[^>]*>", form) if 'type="hidden"' in tag]
    fields = {
        re.search(r'name="([^"]*)"', tag).group(1): re.search(r'value="([^"]*)"', tag).group(1)
        for tag in hidden
    }
    assert fields["csrfmiddlewaretoken"] == "lazy"  # what script would replace: no token

    response = visitor.post("/account/language", {**fields, "language": "zh-hans"})
    assert response.status_code == 302
    assert 'lang="zh-hans"' in visitor.get(response["Location"]).content.decode()


def test_a_signed_in_users_saved_language_is_not_changed_without_the_token(customer):
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(customer)
    response = forged.post("/account/language", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.language == "en"
