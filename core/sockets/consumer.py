"""The base of every websocket: frames in and out, in order, on few threads.

Transport only (STYLE.md 13): handlers validate a frame and call a service; the services
decide who hears what. A subclass provides:

- `authorize() -> int | None`: None to let the socket in, else a close code;
- `groups_to_join() -> list[str]`: channel-layer groups to join on connect;
- `on_connect()`: the first frames after accept (e.g. `hello`);
- `frame_refusal() -> int | None`: checked before each frame; a code hangs up;
- `heartbeat_seconds() -> float | None` and `on_heartbeat()`: "still here", every so many
  seconds while the socket is open (presence: a process that dies says no goodbye, so
  the beats stopping is how the others learn it);
- `on_<type>(frame)` per client frame type, dots as underscores
  ("message.send" -> `on_message_send`);
- channel-layer handlers, named after the event type ("chat.message" -> `chat_message`).

Where each runs (see "Live chat under load" in bench/README.md):

- `authorize`, `groups_to_join`, `on_connect`, `frame_refusal` and every `on_<type>` run
  in a worker thread (they read and write the database);
- channel-layer handlers run on the event loop: most only turn an event into a frame,
  and a thread hop per event cost more than the rest of the work. One that needs the
  database is `async` and awaits `run_blocking`.

Either way a handler does not send: `send_json`, `send_error`, `hang_up`,
`send_to_group` and `send_to_channel` queue, and the socket sends the queue, in order,
on the event loop once the handler returns; slow work that must wait for that (the
bot's answer after the ack) is queued with `follow_up`. Each socket handles one frame or
event at a time, so its frames keep their order.

Refusals accept first and then close with the code, so a browser sees it in its close
event (a refused handshake only shows 1006) and knows not to reconnect. A frame never
takes the socket down: what core.sockets.frames refuses, an ApplicationError or a
FrameError from a handler, and any other exception (logged) each answer an `error` frame.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.consumer import AsyncConsumer, get_handler_name
from channels.exceptions import StopConsumer
from django.db import close_old_connections
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from core.exceptions import ApplicationError
from core.sockets.frames import (
    FrameError,
    SendOrder,
    TokenBucket,
    client_id_of_frame,
    frame_read,
)

logger = logging.getLogger(__name__)

# The threads that run the handlers' database work. A few, not many: each handler mostly
# waits (on PostgreSQL, the commit, the broadcast), but every thread that wakes competes
# with the event loop for the GIL, and the loop carries every socket of the process.
# Measured at 1,000 sockets and 100 msg/s on 2 cores (bench/README.md): 4 threads gave a
# p99 of 61 ms, 16 threads 214 ms (and more CPU), 2 threads 77 ms. Channels' default
# (one shared thread) made every socket of a process wait in one line.
WORKER_THREADS = 4
# Slow follow-up work (the bot's answer: a search, maybe an embedding) has threads of its
# own, so a few chats with the bot cannot hold up every other socket's messages.
FOLLOW_UP_THREADS = 4


def _call(function, *args, **kwargs):
    # Django's connection housekeeping, as around a request (what database_sync_to_async
    # does). Called directly rather than through channels.db: Channels' test
    # communicator turns that one off while it waits, which left these threads'
    # connections open past the test and the test database impossible to drop.
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()


def _start_pools() -> None:
    global _call_in_worker, _call_in_follow_up_worker
    workers = ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="socket-db")
    follow_ups = ThreadPoolExecutor(
        max_workers=FOLLOW_UP_THREADS, thread_name_prefix="socket-follow-up"
    )
    _call_in_worker = SyncToAsync(_call, thread_sensitive=False, executor=workers)
    _call_in_follow_up_worker = SyncToAsync(_call, thread_sensitive=False, executor=follow_ups)


_start_pools()
# A forked process (a server a test forks, a pre-forking server) gets the pools but not
# their threads: each would count its dead threads as busy and never run a handler.
os.register_at_fork(after_in_child=_start_pools)


async def run_blocking(function, *args, **kwargs):
    """Run `function` on a worker thread; await it from the event loop."""
    return await _call_in_worker(function, *args, **kwargs)


# Close code when the channel layer cannot be reached (PROTOCOL.md, "Close codes"): the
# client says the chat is unavailable for a moment and reconnects with backoff.
LAYER_UNAVAILABLE = 4503
LAYER_ERRORS = (RedisError, OSError, TimeoutError)


class JsonSocket(AsyncConsumer):
    """Base of every Beacon socket (see the module docstring)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # ("asgi", message), ("group", (group, event)) or ("channel", (channel, event))
        self.outbox: list[tuple[str, Any]] = []
        self.follow_ups: list[tuple[Any, tuple]] = []
        self.joined: list[str] = []
        self.bucket = TokenBucket()
        self.send_order = SendOrder()
        self.closed = False
        self.beats: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        try:
            return await super().__call__(scope, receive, send)
        finally:
            if self.beats is not None:
                self.beats.cancel()

    async def dispatch(self, message: dict) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        # Channels' own dispatch first hops to a thread to close stale database
        # connections; the handlers that touch the database do that in their own thread.
        result = handler(message)
        if result is not None:
            await result
        await self.flush()

    # ---- the websocket

    async def websocket_connect(self, message: dict) -> None:
        await run_blocking(self.connect)
        interval = None if self.closed else self.heartbeat_seconds()
        if interval:
            self.beats = asyncio.create_task(self._beat(interval))

    async def _beat(self, interval: float) -> None:
        # Through the socket's own queue, so a beat runs between its frames, not beside.
        while True:
            await asyncio.sleep(interval)
            await self.channel_layer.send(self.channel_name, {"type": "socket.heartbeat"})

    async def socket_heartbeat(self, event: dict) -> None:
        if not self.closed:
            await run_blocking(self.on_heartbeat)

    def connect(self) -> None:
        code = self.authorize()
        self.outbox.append(("asgi", {"type": "websocket.accept"}))
        if code is not None:
            self.hang_up(code)
            return
        try:
            for group in (*self.standing_groups(), *self.groups_to_join()):
                self.join(group)
        except LAYER_ERRORS:
            # The channel layer (Redis) is down: this socket would hear nothing. Say so
            # with a code the client explains and retries after, not a crash (1011).
            logger.warning("%s refused: the channel layer is unreachable", type(self).__name__)
            self.hang_up(LAYER_UNAVAILABLE)
            return
        self.on_connect()

    async def websocket_receive(self, message: dict) -> None:
        if self.closed:
            return
        try:
            content = frame_read(message.get("text"), bucket=self.bucket)
            self.send_order.check(content)
        except FrameError as error:
            if error.code == "rate_limited":
                self.send_order.refused(error.client_id)
            self.send_frame_error(error)
            return
        handler = getattr(self, "on_" + content["type"].replace(".", "_"), None)
        if handler is None:
            self.send_error("bad_frame", _("Unknown or malformed frame."))
            return
        await run_blocking(self.handle_frame, handler, content)
        # The frame's answer (the ack) goes out before its slow follow-up begins; the
        # socket's next frame waits for both, so it stays in order.
        await self.flush()
        while self.follow_ups:
            function, args = self.follow_ups.pop(0)
            await _call_in_follow_up_worker(function, *args)
            await self.flush()

    async def websocket_disconnect(self, message: dict) -> None:
        # The goodbye first ("left" to the others on a ticket): the server may cancel a
        # consumer that takes long to end, and leaving the groups is what can wait.
        await self.on_disconnect()
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []
        raise StopConsumer()

    def handle_frame(self, handler, content: dict) -> None:
        """In a worker thread: the check before each frame, then the frame's handler."""
        code = self.frame_refusal()
        if code is not None:
            self.hang_up(code)
            return
        try:
            handler(content)
        except ApplicationError as error:
            # Named by the refused frame's client_id, so the client can take that message
            # back from its outbox instead of sending it again.
            self.send_frame_error(
                FrameError(error.code, error.message, client_id=client_id_of_frame(content))
            )
        except FrameError as error:
            self.send_frame_error(error)
        except Exception:
            # A bug or an outage, not the client's doing: its services roll back, and the
            # socket (the agent's other chats, the customer's draft) stays up.
            logger.exception("%s failed on a %r frame", type(self).__name__, content["type"])
            self.send_error("server_error", _("Something went wrong on our side; try again."))

    # ---- for subclasses

    def authorize(self) -> int | None:
        return None

    def standing_groups(self) -> list[str]:
        """Groups every socket of a base class joins (before `groups_to_join`)."""
        return []

    def groups_to_join(self) -> list[str]:
        return []

    def on_connect(self) -> None:
        return None

    def frame_refusal(self) -> int | None:
        return None

    def heartbeat_seconds(self) -> float | None:
        return None

    def on_heartbeat(self) -> None:
        return None

    async def on_disconnect(self) -> None:
        return None

    async def ajoin(self, group: str) -> None:
        if group not in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.append(group)

    async def aleave(self, group: str) -> None:
        if group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.joined.remove(group)

    def join(self, group: str) -> None:
        """From a worker thread: at once, so nothing sent to the group from now is missed."""
        async_to_sync(self.ajoin)(group)

    def leave(self, group: str) -> None:
        """From a worker thread."""
        async_to_sync(self.aleave)(group)

    def send_json(self, content: dict) -> None:
        if not self.closed:
            self.outbox.append(("asgi", {"type": "websocket.send", "text": json.dumps(content)}))

    def send_error(self, code: str, message: str) -> None:
        """An `error` frame; the connection stays open."""
        self.send_json({"type": "error", "code": code, "message": str(message)})

    def send_frame_error(self, error: FrameError) -> None:
        """The `error` frame, naming the refused frame's client_id when it had one."""
        frame = {"type": "error", "code": error.code, "message": error.message}
        if error.client_id is not None:
            frame["client_id"] = error.client_id
        self.send_json(frame)

    def send_to_group(self, group: str, event: dict) -> None:
        """A live-only event (typing): nothing to store, so no need to wait for a commit."""
        self.outbox.append(("group", (group, event)))

    def send_to_channel(self, channel: str, event: dict) -> None:
        """An event for one other socket (an answer to its event)."""
        self.outbox.append(("channel", (channel, event)))

    def hang_up(self, code: int) -> None:
        if not self.closed:
            self.outbox.append(("asgi", {"type": "websocket.close", "code": code}))
            self.closed = True

    # ---- sending what the handlers queued

    async def flush(self) -> None:
        """Send the queue, in order, on the event loop."""
        queued, self.outbox = self.outbox, []
        for kind, item in queued:
            if kind == "asgi":
                await self.send(item)
            elif kind == "group":
                await self.channel_layer.group_send(*item)
            else:
                await self.channel_layer.send(*item)

    def follow_up(self, function, *args) -> None:
        """From a frame's handler: slow work (the bot's answer) to run on threads of its own
        once the frame's answer is sent, before the socket's next frame."""
        self.follow_ups.append((function, args))
