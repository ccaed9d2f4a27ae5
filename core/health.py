"""Checks behind /healthz: each returns None when healthy, else a short reason."""

from __future__ import annotations

import asyncio
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection


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
