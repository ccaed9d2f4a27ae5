"""Customers who sign in through allauth's real login view, from a browser and address we pick."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from accounts.models import User

PASSWORD = "Zebra-Lantern-42"
WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)


def make_person(email: str = "alice@example.test", **extra) -> User:
    """A customer with a verified address, as after signing up and confirming."""
    user = User.objects.create_user(email=email, password=PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def sign_in(
    client: Client,
    email: str,
    password: str = PASSWORD,
    ip: str = "203.0.113.10",
    agent: str = WINDOWS_CHROME,
):
    """Post allauth's login form the way a browser would."""
    return client.post(
        "/accounts/login/",
        {"login": email, "password": password},
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=agent,
    )


def reauthenticate(client: Client, password: str = PASSWORD) -> None:
    """Type the password again, as allauth asks before a sensitive change."""
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content[:500]


def browser(ip: str = "203.0.113.10", agent: str = WINDOWS_CHROME) -> Client:
    """A fresh browser: its own cookie jar (so its own device cookie), address and agent."""
    return Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)


def mails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def html_of(message) -> str:
    return next(body for body, kind in message.alternatives if kind == "text/html")


def first_link(text: str, path: str) -> str:
    """The path of the first URL in `text` that contains `path`."""
    url = re.search(rf"https?://[^\s\"<>]*{re.escape(path)}[^\s\"<>]*", text).group()
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def alice(db) -> User:
    return make_person()
