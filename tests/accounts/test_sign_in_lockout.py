"""A sign-in refused by a rate limit answers HTTP 429 with its message, as the README says;
allauth re-renders the form with 200 (core.ratelimits.RateLimitStatusMiddleware)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"
LOGIN = "/accounts/login/"


@pytest.fixture
def person() -> User:
    user = User.objects.create_user("lin@example.test", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_the_sixth_wrong_password_is_locked_out_with_429_and_says_so(person):
    # given: five wrong passwords for the account ("login_failed": 5 per 5 minutes)
    client = Client()
    for _ in range(5):
        wrong = client.post(LOGIN, {"login": person.email, "password": "not-it"})
        assert wrong.status_code == 200
    # when: even the right one
    locked = client.post(LOGIN, {"login": person.email, "password": PASSWORD})
    # then
    assert locked.status_code == 429
    assert "Too many failed login attempts. Try again later." in locked.content.decode()
    assert 'name="password"' in locked.content.decode()  # the sign-in page, with its form
    assert "_auth_user_id" not in client.session


def test_the_lock_out_page_is_in_chinese_for_a_chinese_visitor(person):
    # given
    client = Client(headers={"accept-language": "zh-hans"})
    for _ in range(5):
        client.post(LOGIN, {"login": person.email, "password": "not-it"})
    # when
    locked = client.post(LOGIN, {"login": person.email, "password": "not-it"})
    # then
    assert locked.status_code == 429
    assert 'lang="zh-hans"' in locked.content.decode()


def test_a_plain_wrong_password_is_still_200(person):
    # when
    response = Client().post(LOGIN, {"login": person.email, "password": "not-it"})
    # then: the form with its error, not a rate limit
    assert response.status_code == 200
