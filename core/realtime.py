"""Events to websockets, sent only once the transaction that caused them has committed."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from typing import Any

from asgiref.sync import AsyncToSync, SyncToAsync
from channels.layers import get_channel_layer
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_GROUP_UNSAFE = re.compile(r"[^a-zA-Z0-9_.-]")
# One send to the layer takes a millisecond or two. Its Redis connections wait 30 s for
# a read (settings: a socket's BZPOPMIN needs it); a Redis that hangs would hold the
# request that broadcasts (a freeze makes several) that long. The event is then lost, as
# a live update may be: what it announces is committed, and pages read it again.
SEND_TIMEOUT_SECONDS = 2


def group_name(*parts: object) -> str:
    """Build a channel-layer group name; the layer accepts only ASCII letters, digits, `_.-`."""
    return _GROUP_UNSAFE.sub("_", ".".join(str(part) for part in parts))[:99]


def broadcast_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send `event` (a JSON-ready dict with a `type`) to `group` after commit; dropped on rollback."""
    if "type" not in event:
        raise ValueError("A realtime event needs a type.")

    def send() -> None:
        _send_from_thread([(group, event)])

    # Robust: with Redis down the change has committed all the same; a lost live update
    # must not fail the request nor stop the other commit callbacks (the outbox's).
    transaction.on_commit(send, robust=True)


def broadcast_to_groups_on_commit(groups: list[str], event: dict[str, Any]) -> None:
    """The same event to several groups after commit, in one trip."""
    broadcast_many_on_commit([(group, event) for group in groups])


def broadcast_many_on_commit(messages: list[tuple[str, dict[str, Any]]]) -> None:
    """Several (group, event) sends after commit, in one trip to the event loop: each
    async_to_sync call hops threads, which costs more than the send itself."""
    if any("type" not in event for _group, event in messages):
        raise ValueError("A realtime event needs a type.")
    if not messages:
        return

    def send() -> None:
        _send_from_thread(messages)

    transaction.on_commit(send, robust=True)


def _send_from_thread(messages: list[tuple[str, dict[str, Any]]]) -> None:
    """Send from sync code, with a bounded wait.

    On the event loop that handed this thread its work (a socket's, an ASGI request's)
    while it runs; else on a loop of this thread's own (a management command, a Celery
    task, or a loop that has stopped). Not a bare async_to_sync: a chat's follow-up (the
    bot's answer) can outlive its loop, when the server shuts down, and async_to_sync
    would wait forever for a stopped loop to run the send, holding the process open."""
    loop = _calling_loop()
    if loop is None or not loop.is_running():
        AsyncToSync(_send_all, force_new_loop=loop is not None)(messages)
        return
    sent = asyncio.run_coroutine_threadsafe(_send_all(messages), loop)
    try:
        # _send_all stops at the first send that times out, so this bounds the whole.
        sent.result(SEND_TIMEOUT_SECONDS * (len(messages) + 1))
    except TimeoutError:
        sent.cancel()
        logger.warning("event loop away: %d live event(s) not sent", len(messages))


def _calling_loop() -> asyncio.AbstractEventLoop | None:
    # What asgiref's SyncToAsync records in its worker threads; a fork's copy is not it.
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    return getattr(local, "main_event_loop", None)


async def _send_all(messages: list[tuple[str, dict[str, Any]]]) -> None:
    """Send in turn (at once would exhaust Redis connections); with the layer away, drop
    the rest with one line in the log rather than a traceback per request."""
    layer = get_channel_layer()
    if layer is None:
        return
    for sent, (group, event) in enumerate(messages):
        try:
            await asyncio.wait_for(layer.group_send(group, event), SEND_TIMEOUT_SECONDS)
        except (TimeoutError, RedisError, OSError) as exc:
            logger.warning(
                "channel layer away (%s): %d live event(s) not sent, from %r on",
                type(exc).__qualname__,
                len(messages) - sent,
                event["type"],
            )
            return
