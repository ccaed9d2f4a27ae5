"""People, categories and official channels for the forum's tests, made through services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from mnemonic import Mnemonic

from accounts.models import Role
from accounts.services import user_role_grant
from community import services
from helpcenter.models import ContactChannel

# A real BIP39 phrase (test vector): the guard masks it wherever someone types it.
PHRASE = Mnemonic("english").to_mnemonic(bytes.fromhex("7f" * 16))
LOOKALIKE_HOST = "beac\u043en.test"  # Cyrillic о in "beacon"


@pytest.fixture
def person(user_factory):
    """An account old enough not to count as new (COMMUNITY_NEW_ACCOUNT_DAYS)."""

    def make(*, days_old: int = 60, role: Role | None = None, **fields):
        user = user_factory(**fields)
        user.date_joined = timezone.now() - dt.timedelta(days=days_old)
        user.save(update_fields=["date_joined"])
        if role is not None:
            user_role_grant(user=user, role=role)
        return user

    return make


@pytest.fixture
def asker(person):
    return person(first_name="Mei")


@pytest.fixture
def helper(person):
    return person(first_name="Sam")


@pytest.fixture
def newcomer(person):
    return person(days_old=0, first_name="Nova")


@pytest.fixture
def agent(person):
    return person(role=Role.AGENT, first_name="Omar")


@pytest.fixture
def moderator(person):
    return person(role=Role.SUPERVISOR, first_name="Lin")


@pytest.fixture
def fees(db):
    return services.category_create(
        slug="fees", name_en="Fees and limits", name_zh_hans="费用与限额", position=1
    )


@pytest.fixture
def security(db):
    return services.category_create(
        slug="security", name_en="Account security", name_zh_hans="账户安全", position=2
    )


@pytest.fixture
def official_channels(channel_factory):
    """What /verify/ calls official: the website, the support email and the Telegram handle."""
    return [
        channel_factory(
            kind=ContactChannel.Kind.WEBSITE, value="beacon.test", link="https://beacon.test"
        ),
        channel_factory(kind=ContactChannel.Kind.EMAIL, value="support@beacon.test"),
        channel_factory(
            kind=ContactChannel.Kind.TELEGRAM,
            value="@beacon_support",
            link="https://t.me/beacon_support",
        ),
    ]


@pytest.fixture
def question(asker, fees, official_channels):
    outcome = services.topic_create(
        author=asker,
        category=fees,
        title="Why was my withdrawal fee so high?",
        body="I paid 25 USDT to withdraw on ERC20. Is that normal?",
        language="en",
    )
    return outcome.post.topic
