"""The load balancer's probes: /ping (liveness) and /healthz (readiness), and the checks
behind /healthz, each of which returns None when healthy, else a short reason."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, HttpResponse


class ProbeMiddleware:
    """Answer /ping and /healthz before the rest of the stack runs.

    /ping is liveness: the process answers, whatever the database, Redis, the session
    cookie or the Host header (an orchestrator restarts a process that stops answering,
    and must not restart every one of them because PostgreSQL is slow). /healthz is
    readiness: 503 while the database, the channel layer or the broker does not answer,
    so the balancer sends traffic elsewhere. Probes come over plain HTTP to the
    container's own address, so they pass before the HTTPS redirect and the ALLOWED_HOSTS
    check; neither answer builds a URL from the Host header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from core.views import healthz, ping

        self.get_response = get_response
        self.probes = {"/ping": ping, "/healthz": healthz}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.probes.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return type(exc).__name__
    return None


def check_channel_layer() -> str | None:
    """Round-trip one message through the layer: proves Redis (or memory) answers."""
    layer = get_channel_layer()
    if layer is None:
        return "not configured"

    async def round_trip() -> None:
        channel = await layer.new_channel("healthz.")
        token = uuid.uuid4().hex
        await layer.send(channel, {"type": "healthz", "token": token})
        received = await asyncio.wait_for(layer.receive(channel), timeout=2)
        if received.get("token") != token:
            raise RuntimeError("mismatch")

    try:
        async_to_sync(round_trip)()
    except Exception as exc:
        return type(exc).__name__
    return None


def check_broker() -> str | None:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return type(exc).__name__
    return None
