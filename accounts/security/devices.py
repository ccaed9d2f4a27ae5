"""How Beacon recognises a browser and a network it has seen a person sign in from.

The browser carries a random `beacon_device` cookie (set by DeviceCookieMiddleware); the
database keeps only its SHA-256. A network is the IPv4 /24 or IPv6 /48 around the address,
so a home router handing out a new address the next day is not "new".
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets

from django.http import HttpRequest

DEVICE_COOKIE = "beacon_device"
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie
_COOKIE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_REQUEST_ATTRIBUTE = "beacon_device"
IPV4_PREFIX, IPV6_PREFIX = 24, 48


def device_id_new() -> str:
    return secrets.token_urlsafe(32)


def device_id_valid(value: str | None) -> bool:
    return bool(value) and bool(_COOKIE_SHAPE.match(value))


def device_id_of(request: HttpRequest) -> str:
    """The browser's device id: set on the request by the middleware, else its cookie."""
    value = getattr(request, _REQUEST_ATTRIBUTE, None) or request.COOKIES.get(DEVICE_COOKIE)
    return value if device_id_valid(value) else ""


def device_id_attach(request: HttpRequest, value: str) -> None:
    setattr(request, _REQUEST_ATTRIBUTE, value)


def device_hash(device_id: str) -> str:
    """What the database stores; empty for a browser without the cookie."""
    if not device_id:
        return ""
    return hashlib.sha256(device_id.encode()).hexdigest()


def network_of(ip: str | None) -> str:
    """ "203.0.113.0/24" or "2001:db8:1::/48"; empty when the address is unknown or bad."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
