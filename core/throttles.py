"""DRF throttles keyed on the client address that core.client_ip decides.

DRF's own get_ident reads the whole X-Forwarded-For when NUM_PROXIES is unset, so a
client that changed the header on every request was never throttled. Every API view
throttles with these classes instead of rest_framework.throttling's.
"""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.request import Request

from core.client_ip import client_ip


class ClientIpIdentMixin:
    def get_ident(self, request: Request) -> str:
        # No address at all (a unix socket with no proxy header): one shared bucket.
        return client_ip(request._request) or "unknown"


class ScopedRateThrottle(ClientIpIdentMixin, throttling.ScopedRateThrottle):
    """Per view scope (`throttle_scope`), per user when signed in, else per client address."""


class AnonRateThrottle(ClientIpIdentMixin, throttling.AnonRateThrottle):
    """Anonymous requests, per client address."""
