"""Who is on the other end: the one answer every throttle, rate limit and record uses.

X-Forwarded-For is a list anyone can start: a proxy appends the address it saw to
whatever the request already carried. So it is read only when the connection comes from
one of our proxies (settings.BEACON_TRUSTED_PROXIES, networks in CIDR notation), and
from the right: the first address that is not one of our proxies is the client. With no
proxy configured, the connection's own address (REMOTE_ADDR) is the client and the
header is ignored: a client that rotates it gets no new rate-limit bucket.

Callers: DRF throttles (core.throttles), allauth's rate limits, sessions and sign-in
records (accounts.adapters.AccountAdapter.get_client_ip), Beacon's own rate limits
(core.ratelimits, through allauth's limiter), the audit trail (accounts.audit) and the
request id (core.logs).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as our own proxies report it; None when there is none
    (a server listening on a unix socket gives no REMOTE_ADDR)."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    proxies = _networks(tuple(settings.BEACON_TRUSTED_PROXIES))
    if not _trusted(peer, proxies):
        return str(peer)
    client = peer
    for hop in reversed(_forwarded_for(request)):
        address = _address(hop)
        if address is None:
            break  # not written by a proxy of ours: keep the last address one wrote
        client = address
        if not _trusted(address, proxies):
            break
    return str(client)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the connection comes from one of our proxies (whose headers we believe)."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    return peer is not None and _trusted(peer, _networks(tuple(settings.BEACON_TRUSTED_PROXIES)))


def _forwarded_for(request: HttpRequest) -> list[str]:
    # Several X-Forwarded-For lines arrive joined by commas (RFC 9110: one list).
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [hop.strip() for hop in header.split(",") if hop.strip()]


def _address(value: str) -> Address | None:
    """An address as proxies write it: bare, IPv6 in brackets, or either with a port."""
    value = value.strip()
    if value.startswith("["):  # [2001:db8::1] or [2001:db8::1]:443
        value = value[1 : value.find("]")] if "]" in value else value
    elif value.count(":") == 1:  # 203.0.113.7:51234
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


@functools.lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    # config.env.networks checked the values at start; cached per value of the setting.
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def _trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address.version == network.version and address in network for network in networks)
