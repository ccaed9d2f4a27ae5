"""Events to websockets, sent only once the transaction that caused them has committed."""

from __future__ import annotations

import re
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

_GROUP_UNSAFE = re.compile(r"[^a-zA-Z0-9_.-]")


def group_name(*parts: object) -> str:
    """Build a channel-layer group name; the layer accepts only ASCII letters, digits, `_.-`."""
    return _GROUP_UNSAFE.sub("_", ".".join(str(part) for part in parts))[:99]


def broadcast_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send `event` (a JSON-ready dict with a `type`) to `group` after commit; dropped on rollback."""
    if "type" not in event:
        raise ValueError("A realtime event needs a type.")

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, event)

    # Robust: with Redis down the change has committed all the same; a lost live update
    # must not fail the request nor stop the other commit callbacks (the outbox's).
    transaction.on_commit(send, robust=True)


def broadcast_many_on_commit(messages: list[tuple[str, dict[str, Any]]]) -> None:
    """Several (group, event) sends after commit, in one trip to the event loop: each
    async_to_sync call hops threads, which costs more than the send itself."""
    if any("type" not in event for _group, event in messages):
        raise ValueError("A realtime event needs a type.")
    if not messages:
        return

    async def send_all() -> None:
        layer = get_channel_layer()
        if layer is not None:
            for group, event in messages:  # in turn: at once would exhaust Redis connections
                await layer.group_send(group, event)

    def send() -> None:
        async_to_sync(send_all)()

    transaction.on_commit(send, robust=True)
