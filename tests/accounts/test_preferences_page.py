"""The preferences page's notification section: choices, locked essentials, bad posts."""

from __future__ import annotations

import re

import pytest

from notifications import registry
from notifications.models import NotificationPreference

pytestmark = pytest.mark.django_db

URL = "/account/preferences/"


@pytest.fixture
def signed_in(client, customer):
    client.force_login(customer)
    return client


def post(client, **fields):
    data = {"language": "en", "time_zone": "", **fields}
    return client.post(URL, data)


def test_preferences_page_lists_the_kinds_with_a_labelled_checkbox_each(test_kinds, signed_in):
    # when
    html = signed_in.get(URL).content.decode()
    # then: the customer's kinds, each checkbox with its label; no staff-only kind
    assert "Test: hello" in html and "Test: security notice" in html
    assert "Test: assigned to you" not in html
    for name in ("notify-outbox_test.hello-email", "notify-outbox_test.hello-bell"):
        assert f'id="id_{name}"' in html and f'for="id_{name}"' in html
    assert re.search(r'<input[^>]*name="notify-outbox_test.hello-email"[^>]*checked', html)


def test_preferences_page_shows_essential_kinds_always_on_and_says_why(test_kinds, signed_in):
    html = signed_in.get(URL).content.decode()
    box = re.search(r'<input[^>]*name="notify-outbox_test.security-email"[^>]*>', html).group()
    assert "disabled" in box and "checked" in box
    assert 'aria-describedby="notify-essential-note"' in box
    assert 'id="notify-essential-note"' in html and "cannot be turned off" in html


def test_preferences_page_shows_staff_only_kinds_to_staff(test_kinds, client, user_factory):
    client.force_login(user_factory(is_staff=True))
    assert "Test: assigned to you" in client.get(URL).content.decode()


def test_preferences_page_saves_the_notification_choices(test_kinds, signed_in, customer):
    # when: email off, bell on for the non-essential kind; an attempt at the essential one
    response = post(signed_in, **{"notify-outbox_test.hello-bell": "on"})
    # then
    assert response.status_code == 302
    choice = NotificationPreference.objects.get(user=customer, kind="outbox_test.hello")
    assert (choice.kind, choice.email, choice.bell) == ("outbox_test.hello", False, True)
    html = signed_in.get(URL).content.decode()
    assert not re.search(r'<input[^>]*name="notify-outbox_test.hello-email"[^>]*checked', html)


def test_preferences_page_cannot_turn_off_an_essential_kind(test_kinds, signed_in, customer):
    # when: the post leaves the essential box out (as a tampered form would)
    response = post(signed_in, **{"notify-outbox_test.hello-email": "on"})
    # then: saved, and the essential kind is untouched
    assert response.status_code == 302
    assert not NotificationPreference.objects.filter(kind="outbox_test.security").exists()


def test_preferences_page_bad_post_gets_an_error_and_saves_nothing(test_kinds, signed_in, customer):
    # when: a bad language beside valid notification choices
    response = post(
        signed_in,
        language="klingon",
        **{"notify-outbox_test.hello-bell": "on", "notify-nonsense-email": "on"},
    )
    # then: a clear error, and neither part was saved
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html and "Select a valid choice" in html
    assert not NotificationPreference.objects.exists()
    customer.refresh_from_db()
    assert customer.language == "en"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"language": ["en", "zh-hans"], "notify-outbox_test.hello-email": ["on", "off"]},
        {"language": "en", "notify-outbox_test.hello-email": "\x00" * 5000},
    ],
)
def test_preferences_page_odd_posts_never_fail(test_kinds, signed_in, data):
    response = signed_in.post(URL, data)
    assert response.status_code in {302, 400}


def test_preferences_page_without_kinds_says_so(signed_in, monkeypatch):
    monkeypatch.setattr(registry, "_KINDS", {})  # as before any app registers one
    html = signed_in.get(URL).content.decode()
    assert "There are no notifications to choose from yet." in html


def test_preferences_page_in_chinese(test_kinds, signed_in, customer):
    customer.language = "zh-hans"
    customer.save()
    html = signed_in.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "您的偏好设置" in html and '<html lang="zh-hans">' in html
