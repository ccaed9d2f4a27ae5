"""One client address for every throttle, rate limit and record (core.client_ip).

Without a trusted proxy the connection's address is the client and X-Forwarded-For is
ignored; behind one (BEACON_TRUSTED_PROXIES) the header is read from the right. Each
consumer is attacked the same way: one client sending a new X-Forwarded-For each time.
"""

from __future__ import annotations

import pytest
from allauth.usersessions.models import UserSession
from django.test import RequestFactory, override_settings

from accounts.models import SecurityEvent
from core import throttles
from core.client_ip import client_ip
from core.ratelimits import rate_allowed
from tests.accounts.security.conftest import PASSWORD, make_person

PROXY = "10.0.0.5"  # the reverse proxy's address, inside BEHIND_PROXY's network
BEHIND_PROXY = override_settings(BEACON_TRUSTED_PROXIES=["10.0.0.0/8"])


def request_from(remote_addr: str, forwarded_for: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def spoofed(n: int) -> str:
    return f"198.51.100.{n % 250}, 192.0.2.{n % 250}"


# ---------------------------------------------------------------- the function


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "expected"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # no proxy configured: ignored
        ("::ffff:203.0.113.9", None, "203.0.113.9"),
        ("", "198.51.100.1", None),  # a unix socket: nothing to go by
    ],
)
def test_client_ip_without_trusted_proxies_is_the_connection(remote_addr, forwarded_for, expected):
    assert client_ip(request_from(remote_addr, forwarded_for)) == expected


@BEHIND_PROXY
@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "expected"),
    [
        # the proxy appended the address it saw: the client's
        (PROXY, "203.0.113.9", "203.0.113.9"),
        # what the client wrote itself stays to the left, unread
        (PROXY, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        # two proxies of ours (an ingress behind a balancer): skip both
        (PROXY, "1.2.3.4, 203.0.113.9, 10.2.0.7", "203.0.113.9"),
        # a client connecting around the proxy: its header is not believed
        ("203.0.113.50", "1.2.3.4", "203.0.113.50"),
        # ports and brackets as some proxies write them
        (PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        (PROXY, "203.0.113.9:51234", "203.0.113.9"),
        # garbage where our proxy's entry should be: the last address a proxy of ours wrote
        (PROXY, "203.0.113.9, not-an-address", PROXY),
        # the proxy itself, without a header (its own health check)
        (PROXY, None, PROXY),
    ],
)
def test_client_ip_behind_a_trusted_proxy_reads_the_header_from_the_right(
    remote_addr, forwarded_for, expected
):
    assert client_ip(request_from(remote_addr, forwarded_for)) == expected


# ---------------------------------------------------------------- DRF throttles


@pytest.fixture
def search_limit(monkeypatch):
    """The production search limit (the test settings raise it for the rest of the suite)."""
    monkeypatch.setattr(throttles.ScopedRateThrottle, "THROTTLE_RATES", {"search": "120/min"})


@pytest.mark.django_db
def test_client_ip_search_throttle_ignores_a_rotating_forwarded_for(client, search_limit):
    # when: 130 searches from one address, each with another X-Forwarded-For
    statuses = [
        client.get(
            "/api/v1/helpcenter/search?q=fee",
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=spoofed(n),
        ).status_code
        for n in range(130)
    ]
    # then: the limit of 120 a minute holds
    assert statuses[:120] == [200] * 120
    assert set(statuses[120:]) == {429}


@pytest.mark.django_db
@BEHIND_PROXY
def test_client_ip_search_throttle_counts_each_client_behind_the_proxy(client, search_limit):
    def search(forwarded_for: str) -> int:
        return client.get(
            "/api/v1/helpcenter/search?q=fee", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for
        ).status_code

    # given: one client used up its limit through the proxy, rotating what it wrote itself
    assert {search(f"198.51.100.{n}, 203.0.113.9") for n in range(120)} == {200}
    # then: it is refused, and another client behind the same proxy is not
    assert search("198.51.100.200, 203.0.113.9") == 429
    assert search("203.0.113.10") == 200


# ---------------------------------------------------------------- allauth and core.ratelimits


@pytest.mark.django_db
@override_settings(ACCOUNT_RATE_LIMITS={"login": "3/m/ip"})
def test_client_ip_sign_in_limit_ignores_a_rotating_forwarded_for(client):
    statuses = [
        client.post(
            "/accounts/login/",
            {"login": "nobody@example.test", "password": "wrong-password-1"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=spoofed(n),
        ).status_code
        for n in range(4)
    ]
    assert statuses[:3] == [200] * 3 and statuses[3] == 429


@pytest.mark.django_db
@override_settings(ACCOUNT_RATE_LIMITS={"channel_verify": "2/m/ip"})
def test_client_ip_beacon_rate_limits_ignore_a_rotating_forwarded_for():
    allowed = [
        rate_allowed(request_from("203.0.113.9", spoofed(n)), action="channel_verify")
        for n in range(3)
    ]
    assert allowed == [True, True, False]


@pytest.mark.django_db
@override_settings(
    ACCOUNT_RATE_LIMITS={"channel_verify": "2/m/ip"}, BEACON_TRUSTED_PROXIES=["10.0.0.0/8"]
)
def test_client_ip_beacon_rate_limits_count_each_client_behind_the_proxy():
    first = [
        rate_allowed(request_from(PROXY, "203.0.113.9"), action="channel_verify") for _ in "abc"
    ]
    other = rate_allowed(request_from(PROXY, "203.0.113.10"), action="channel_verify")
    assert first == [True, True, False] and other is True


# ---------------------------------------------------------------- sign-in records


@pytest.mark.django_db
def test_client_ip_sign_in_history_records_the_connection_not_a_spoofed_header(client):
    alice = make_person()
    client.post(
        "/accounts/login/",
        {"login": alice.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.66",
    )
    sign_in = SecurityEvent.objects.get(user=alice, kind=SecurityEvent.Kind.SIGN_IN)
    assert sign_in.ip == "203.0.113.9"
    assert UserSession.objects.get(user=alice).ip == "203.0.113.9"


@pytest.mark.django_db
@BEHIND_PROXY
def test_client_ip_sign_in_history_records_the_client_the_proxy_saw(client):
    alice = make_person()
    client.post(
        "/accounts/login/",
        {"login": alice.email, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.9",
    )
    sign_in = SecurityEvent.objects.get(user=alice, kind=SecurityEvent.Kind.SIGN_IN)
    assert sign_in.ip == "203.0.113.9"
    assert UserSession.objects.get(user=alice).ip == "203.0.113.9"
