"""A flash message speaks the language of the page that shows it, the next one, even when
the request that made it spoke another (a saved language switching in at sign-in, a
language changed on the preferences page)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def english_person() -> User:
    """Someone whose saved language is English, on a browser set to Chinese."""
    user = User.objects.create_user("desk@example.test", PASSWORD, language="en")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_sign_in_message_is_in_the_saved_language_not_the_browsers(english_person):
    # given: a browser that asks for Chinese, and no language picked on the site
    browser = Client(HTTP_ACCEPT_LANGUAGE="zh-hans,zh;q=0.9")
    # when
    response = browser.post(
        "/accounts/login/", {"login": english_person.email, "password": PASSWORD}, follow=True
    )
    # then: the page is in English, and so is its message
    assert response.context["LANGUAGE_CODE"] == "en"
    assert any(text.startswith("Successfully signed in") for text in _messages(response))


def test_sign_out_message_is_in_the_browsers_language(english_person):
    # given
    browser = Client(HTTP_ACCEPT_LANGUAGE="zh-hans,zh;q=0.9")
    browser.force_login(english_person)
    # when
    response = browser.post("/accounts/logout/", follow=True)
    # then: signed out, the page follows the browser again
    assert response.context["LANGUAGE_CODE"] == "zh-hans"
    assert _messages(response) == ["您已退出登录。"]


def test_preferences_saved_message_is_in_the_language_just_chosen(english_person):
    # given: the preferences page in Chinese (picked with the switcher)
    browser = Client()
    browser.force_login(english_person)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    # when: English is chosen there
    response = browser.post(
        "/account/preferences/", {"language": "en", "time_zone": "UTC"}, follow=True
    )
    # then
    assert response.context["LANGUAGE_CODE"] == "en"
    assert "Your preferences are saved." in _messages(response)
