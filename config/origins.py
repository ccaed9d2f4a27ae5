"""Which pages may open Beacon's websockets: an explicit list of origins, in every setting.

A browser sends its cookies with a websocket handshake whatever page opens it, so the
Origin header is what stops a page elsewhere from talking to the chat as the customer.
The list is never "every host": local, test and production settings each name theirs
(settings.BEACON_WEBSOCKET_ORIGINS), and a handshake without an Origin is refused too
(browsers always send one; other clients must send one of the list).

An entry is `scheme://host[:port]` (the default port when left out), `scheme://*.domain`
for the subdomains of a domain (Django's CSRF_TRUSTED_ORIGINS syntax), or
`scheme://host:*` for any port of a host (tests: their servers take a free port).

Pure functions (settings use them) and an ASGI middleware that reads the list at each
handshake (so tests may override it).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def origins_for_hosts(hosts: list[str], *, schemes: tuple[str, ...]) -> list[str]:
    """Origins for ALLOWED_HOSTS-style entries ("example.com", ".example.com" for the
    domain and its subdomains); "*" gives none."""
    origins = []
    for host in hosts:
        if not host or host == "*":
            continue
        for scheme in schemes:
            if host.startswith("."):
                origins += [f"{scheme}://{host[1:]}", f"{scheme}://*{host}"]
            else:
                origins.append(f"{scheme}://{host}")
    return origins


def _split(origin: str) -> tuple[str, str, str] | None:
    """(scheme, host, port) of an origin or a pattern, lower case; port "*" for any."""
    wildcard_port = origin.endswith(":*")
    try:
        parts = urlsplit(origin[:-2] if wildcard_port else origin)
        port = "*" if wildcard_port else str(parts.port or _DEFAULT_PORTS.get(parts.scheme, ""))
    except ValueError:  # a port that is not a number
        return None
    if not parts.scheme or not parts.hostname or parts.path not in ("", "/"):
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port


def origin_allowed(origin: str | None, allowed: list[str]) -> bool:
    """Whether a handshake's Origin header matches one of `allowed` (see the docstring)."""
    seen = _split(origin) if origin else None
    if seen is None:
        return False
    scheme, host, port = seen
    for pattern in allowed:
        want = _split(pattern)
        if want is None or want[0] != scheme or want[2] not in ("*", port):
            continue
        if want[1] == host or (want[1].startswith("*.") and host.endswith(want[1][1:])):
            return True
    return False


class OriginCheck:
    """Refuses a websocket handshake from an origin not in settings.BEACON_WEBSOCKET_ORIGINS
    before anything else runs (the browser sees a failed handshake: it is no page of ours
    that needs to know why)."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        origin = dict(scope.get("headers", [])).get(b"origin", b"").decode("latin1")
        if scope["type"] == "websocket" and not origin_allowed(
            origin, settings.BEACON_WEBSOCKET_ORIGINS
        ):
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})  # before accept: a 403
            return None
        return await self.application(scope, receive, send)
