"""Rate limits while Redis cannot answer (core.ratelimit_store): each fails as its policy
says, never with a 500.

The cache here points at a port nobody listens on, as a stopped Redis refuses; the
fault suite (tests/faults/test_redis_down.py) stops a real one under a real server.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import Client, RequestFactory
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework import throttling

from accounts.models import User
from core import ratelimit_store
from core.models import RateLimitCounter
from core.ratelimit_store import Outage, counters
from core.ratelimits import rate_allowed
from tests.accounts.twofactor.conftest import give_totp, make_person, password_step
from tests.servers import free_port

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fresh_store_states():
    """Each test starts with both stores believed up; none leaves them believed down."""
    ratelimit_store.redis_state.reset()
    ratelimit_store.fallback_state.reset()
    yield
    ratelimit_store.redis_state.reset()
    ratelimit_store.fallback_state.reset()


@pytest.fixture
def redis_down(settings) -> None:
    """The default cache is a Redis that refuses every connection."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }


@pytest.fixture
def database_cannot_count(monkeypatch) -> None:
    """The fallback table is gone: every statement on it fails."""
    monkeypatch.setattr(ratelimit_store, "fallback", DatabaseCache("core_no_such_table", {}))


def visitor(ip: str = "203.0.113.7"):
    return RequestFactory().get("/", REMOTE_ADDR=ip)


def test_every_limit_says_what_it_does_while_redis_is_down():
    # Every limit Beacon configures decides for itself rather than take the default.
    assert set(settings.ACCOUNT_RATE_LIMITS) <= set(ratelimit_store.WHILE_REDIS_IS_DOWN)
    scopes = set(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    assert scopes <= set(ratelimit_store.API_THROTTLES_WHILE_REDIS_IS_DOWN)


def test_allauth_and_drf_count_in_the_store():
    from allauth.mfa.totp.internal import auth as totp

    assert allauth_ratelimit.cache is counters
    assert totp.cache is counters
    assert throttling.SimpleRateThrottle.cache is counters


def test_a_limit_counts_in_the_database_while_redis_is_down(redis_down):
    # when: the freeze link's limit (20 an hour per network) is used 21 times
    allowed = [rate_allowed(visitor(), action="freeze_link") for _ in range(21)]
    # then: the 21st is refused, as with Redis; the counts are in the table
    assert allowed == [True] * 20 + [False]
    assert RateLimitCounter.objects.filter(cache_key__contains=":freeze_link:").count() == 1
    # ... per network, as with Redis
    assert rate_allowed(visitor("198.51.100.9"), action="freeze_link")


def test_the_channel_check_counts_nothing_while_redis_is_down(redis_down):
    # when: far more checks than its 30 a minute
    allowed = [rate_allowed(visitor(), action="channel_verify") for _ in range(40)]
    # then: every one answered; nothing written
    assert allowed == [True] * 40
    assert not RateLimitCounter.objects.exists()


def test_sign_in_lock_out_holds_while_redis_is_down(redis_down):
    # given
    user = User.objects.create_user("lin@example.test", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    # when: five wrong passwords, then the right one
    wrong = [
        client.post("/accounts/login/", {"login": user.email, "password": "not-it"}).status_code
        for _ in range(5)
    ]
    locked = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    # then
    assert wrong == [200] * 5
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_in_fails_closed_when_the_database_cannot_count_either(
    redis_down, database_cannot_count
):
    # when: a sign-in attempt is counted with neither store answering
    allowed = rate_allowed(visitor(), action="login")
    # then: refused; and the caller's transaction is still usable
    assert not allowed
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_the_freeze_fails_open_when_the_database_cannot_count_either(
    redis_down, database_cannot_count
):
    allowed = [rate_allowed(visitor(), action="freeze_link") for _ in range(25)]
    assert allowed == [True] * 25


def test_the_2fa_step_works_and_a_code_still_works_once_while_redis_is_down(redis_down):
    # given: Lin with an authenticator app, signing in from two browsers
    lin = make_person("lin@example.test")
    authenticator = give_totp(lin)
    first, second = Client(), Client()
    for browser in (first, second):
        assert password_step(browser, lin)["Location"] == "/accounts/2fa/authenticate/"
    code = authenticator.now()
    # when: the code is typed in the first, then replayed in the second
    accepted = first.post("/accounts/2fa/authenticate/", {"code": code})
    replayed = second.post("/accounts/2fa/authenticate/", {"code": code})
    # then: it signed the first in, and not the second
    assert accepted.status_code == 302
    assert int(first.session["_auth_user_id"]) == lin.pk
    assert replayed.status_code == 200
    assert "_auth_user_id" not in second.session


def test_a_totp_code_is_still_used_once_while_redis_is_down(redis_down):
    key = "allauth.mfa.totp.used?user=1&code=123456"
    assert counters.add(key, "y", timeout=90) is True
    assert counters.add(key, "y", timeout=90) is False


def test_the_search_api_answers_while_redis_is_down(redis_down):
    # given: far past the scope's rate would be refused if it counted; it counts nothing
    client = Client()
    statuses = {client.get("/api/v1/helpcenter/search", {"q": "wallet"}).status_code}
    # then
    assert statuses == {200}
    assert not RateLimitCounter.objects.exists()


class RefusingRedis:
    """A cache whose every call fails as a stopped Redis's does; counts the calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __getattr__(self, name: str):
        def call(*args, **kwargs):
            self.calls += 1
            raise RedisConnectionError("Error 111 connecting. Connection refused.")

        return call


def test_after_a_failure_redis_is_left_alone_for_a_while(monkeypatch):
    # given
    redis = RefusingRedis()
    monkeypatch.setattr(ratelimit_store, "cache", redis)
    # when: one sign-in attempt is counted (lock, read, write, unlock: four calls)
    assert rate_allowed(visitor(), action="login")
    # then: only the first went to Redis; a hung Redis would cost one timeout, not four
    assert redis.calls == 1


def test_once_the_pause_is_over_redis_is_asked_again(monkeypatch):
    redis = RefusingRedis()
    monkeypatch.setattr(ratelimit_store, "cache", redis)
    monkeypatch.setattr(ratelimit_store, "RETRY_SECONDS", 0)
    assert rate_allowed(visitor(), action="login")
    assert redis.calls == 4


@pytest.mark.parametrize(
    ("key", "policy"),
    [
        ("allauth:rl:allauth.account:login_failed:5/300.0/key:abc", Outage.DATABASE),
        ("allauth:rl:allauth.account:login_failed:5/300.0/key:abc:lock", Outage.DATABASE),
        ("allauth:rl:allauth.account:freeze:5/3600.0/user:7", Outage.DATABASE_OR_OPEN),
        ("allauth:rl:allauth.account:channel_verify:30/60.0/ip:203.0.113.7", Outage.OPEN),
        ("allauth:rl:allauth.account:signup:20/60.0/ip:203.0.113.7", Outage.DATABASE),
        ("throttle_search_203.0.113.7", Outage.OPEN),
        ("allauth.mfa.totp.used?user=1&code=123456", Outage.DATABASE),
    ],
)
def test_each_key_finds_its_limits_policy(key, policy):
    assert ratelimit_store.policy_for(key) is policy
