"""What every chat socket shares: frame limits, dispatch by type, and hanging up.

Transport only (STYLE.md 13): handlers validate a frame and call a service; the
services decide who hears what. A subclass provides:

- `authorize() -> int | None`: None to let the socket in, else a close code (4401, 4403);
- `groups_to_join() -> list[str]`: channel-layer groups besides the user's own;
- `on_connect()`: the first frames after accept (e.g. `hello`);
- `on_<type>(frame)` per client frame type, dots as underscores
  ("message.send" -> `on_message_send`);
- channel-layer handlers as usual, named after the event type ("chat.message" ->
  `chat_message`).

Refusals accept first and then close with the code, so a browser sees 4401/4403 in its
close event (a refused handshake only shows 1006) and knows not to reconnect.
"""

from __future__ import annotations

import json
import re
import time
from importlib import import_module
from typing import Any

from asgiref.sync import async_to_sync
from channels.consumer import get_handler_name
from channels.db import DatabaseSyncToAsync
from channels.generic.websocket import JsonWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from accounts.notifications import user_group
from core.exceptions import ApplicationError

MAX_FRAME_BYTES = 16 * 1024
# Ten frames a second, with a burst of ten: typing and read receipts fit easily, a
# runaway client loop does not.
RATE_PER_SECOND = 10.0
RATE_BURST = 10.0

CLOSE_SIGNED_OUT = 4401
CLOSE_FORBIDDEN = 4403

_TYPE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)*$")


class TokenBucket:
    """In memory, per connection: each process limits its own sockets."""

    def __init__(self, *, rate: float = RATE_PER_SECOND, burst: float = RATE_BURST) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = burst
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _dispatch(consumer: ChatSocket, message: dict) -> None:
    handler = getattr(consumer, get_handler_name(message), None)
    if handler is None:
        raise ValueError(f"No handler for message type {message['type']}")
    handler(message)


# Channels runs every sync consumer's handlers on one shared thread per process
# (thread_sensitive), so all of a process's chat sockets waited in one line (bench/README,
# chat_load). Chat handlers keep no thread-bound state: run them on the thread pool.
# Each socket's own messages still run one at a time and in order, since the consumer
# awaits each dispatch before taking the next.
_dispatch_on_pool = DatabaseSyncToAsync(_dispatch, thread_sensitive=False)


class ChatSocket(JsonWebsocketConsumer):
    """Base of the customer and agent chat sockets (see the module docstring)."""

    async def dispatch(self, message: dict) -> None:
        await _dispatch_on_pool(self, message)

    def connect(self) -> None:
        self.user = self.scope.get("user")
        self.joined: list[str] = []
        self.bucket = TokenBucket()
        self.closed = False
        session = self.scope.get("session")
        self.session_key: str | None = getattr(session, "session_key", None)
        code = self.authorize()
        self.accept()
        if code is not None:
            self.hang_up(code)
            return
        if self.signed_in:
            self.join(user_group(self.user.id))
        for group in self.groups_to_join():
            self.join(group)
        self.on_connect()

    def disconnect(self, code: int) -> None:
        for group in self.joined:
            async_to_sync(self.channel_layer.group_discard)(group, self.channel_name)
        self.joined = []

    # ---- for subclasses

    @property
    def signed_in(self) -> bool:
        return self.user is not None and self.user.is_authenticated

    def authorize(self) -> int | None:
        return None

    def groups_to_join(self) -> list[str]:
        return []

    def on_connect(self) -> None:
        return None

    def join(self, group: str) -> None:
        if group not in self.joined:
            async_to_sync(self.channel_layer.group_add)(group, self.channel_name)
            self.joined.append(group)

    def leave(self, group: str) -> None:
        if group in self.joined:
            async_to_sync(self.channel_layer.group_discard)(group, self.channel_name)
            self.joined.remove(group)

    def send_to_group(self, group: str, event: dict) -> None:
        """A live-only event (typing): nothing to store, so no need to wait for a commit."""
        async_to_sync(self.channel_layer.group_send)(group, event)

    def hang_up(self, code: int) -> None:
        self.closed = True
        self.close(code=code)

    def send_error(self, code: str, message: str) -> None:
        """An `error` frame; the connection stays open."""
        self.send_json({"type": "error", "code": code, "message": message})

    def send_application_error(self, error: ApplicationError) -> None:
        self.send_error(error.code, error.message)

    def session_gone(self) -> bool:
        """True when the browser's session has ended since connect (signed out elsewhere,
        or flushed): the socket must not outlive it."""
        if not self.session_key:
            return self.signed_in  # signed in without a session: cannot happen; refuse
        engine = import_module(settings.SESSION_ENGINE)
        return not engine.SessionStore().exists(self.session_key)

    # ---- incoming frames

    def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs):
        if self.closed:
            return
        if not self.bucket.take():
            self.send_error("rate_limited", _("Too many frames; slow down."))
            return
        if text_data is None:
            self.send_error("bad_frame", _("Frames must be JSON text."))
            return
        if len(text_data) > MAX_FRAME_BYTES or len(text_data.encode()) > MAX_FRAME_BYTES:
            self.send_error("too_large", _("Frames can be at most 16 KiB."))
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            self.send_error("bad_frame", _("Frames must be JSON objects."))
            return
        self.receive_json(content, **kwargs)

    def receive_json(self, content: Any, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        handler = (
            getattr(self, "on_" + kind.replace(".", "_"), None)
            if isinstance(kind, str) and _TYPE.match(kind)
            else None
        )
        if handler is None:
            self.send_error("bad_frame", _("Unknown or malformed frame."))
            return
        if self.session_gone():
            self.hang_up(CLOSE_SIGNED_OUT)
            return
        try:
            handler(content)
        except ApplicationError as error:
            self.send_application_error(error)

    # ---- events from the channel layer

    def account_closed(self, event: dict) -> None:
        """The account was frozen (accounts.freeze): hang up at once."""
        self.hang_up(CLOSE_FORBIDDEN)
