"""Discord's Gateway, held open for the one thing webhooks cannot bring: the direct
messages people type to the bot. https://discord.com/developers/docs/events/gateway

The protocol, as this client speaks it:
- HELLO (op 10) gives heartbeat_interval: a HEARTBEAT (op 1, the last sequence number)
  after interval x jitter, then every interval; a beat without a HEARTBEAT_ACK (op 11)
  since the one before means a dead ("zombied") connection: close it and resume. The
  server may ask for a beat at once (op 1).
- IDENTIFY (op 2: token, intents DIRECT_MESSAGES | MESSAGE_CONTENT) on a new session;
  READY names the session, the resume URL and the bot's own user.
- DISPATCH (op 0) carries the sequence number `s`; MESSAGE_CREATE is handed to
  `on_message` (which keeps DMs only, never the bot's own), in order, by a task apart
  from the reader. The sequence kept (beaten, resumed from) is the last event handled:
  an event the handler could not take (Unavailable) is replayed by the RESUME.
- RECONNECT (op 7), a dropped connection, a zombie: connect to the resume URL and RESUME
  (op 6: token, session_id, seq); Discord replays what was missed, then RESUMED.
- INVALID_SESSION (op 9): `d` says whether it can be resumed; if not, wait 1-5 s and
  IDENTIFY afresh.
- Close codes 4004 and 4010-4014 (bad token, shards, version, intents) end the run:
  retrying would not help. 4007 and 4009 need a new session. Others resume.

Nothing here knows Django: the command (outside_discord_gateway) gives the handler.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import websockets

logger = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, RESUME = 0, 1, 2, 6
RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 7, 9, 10, 11
DIRECT_MESSAGES, MESSAGE_CONTENT = 1 << 12, 1 << 15
INTENTS = DIRECT_MESSAGES | MESSAGE_CONTENT
FATAL_CLOSE_CODES = {4004, 4010, 4011, 4012, 4013, 4014}
NEW_SESSION_CLOSE_CODES = {4007, 4009}
# Our own close to resume later: not 1000/1001, which would end the session.
CLOSE_TO_RESUME = 4000
# READY lists the bot's guilds: bigger than websockets' 1 MiB default for a bot in many.
MAX_FRAME_BYTES = 16 * 1024 * 1024
# Events read but not yet handled; a full queue stops the reading (DMs come slowly).
MAX_QUEUED_EVENTS = 1000
# How long a connection may take to say HELLO, and the longest wait between retries.
HELLO_TIMEOUT_SECONDS = 20
MAX_RETRY_SECONDS = 60

# on_message(message, bot_user_id): a MESSAGE_CREATE's `d`; raising Unavailable leaves
# the event unacknowledged (the sequence stays before it) to be replayed on RESUME.
MessageHandler = Callable[[dict, str], Awaitable[None]]


class GatewayFatal(Exception):
    """Discord will not take this client as configured (token, intents): stop."""


class Unavailable(Exception):
    """The handler could not take a message now (the database is away): resume later."""


@dataclass
class Session:
    session_id: str = ""
    seq: int | None = None
    resume_url: str = ""
    bot_user_id: str = ""

    def forget(self) -> None:
        self.session_id, self.seq, self.resume_url = "", None, ""


class DiscordGateway:
    def __init__(
        self,
        *,
        url: str,
        token: str,
        on_message: MessageHandler,
        stop: asyncio.Event,
        retry_base_seconds: float = 1.0,
        invalid_session_pause: tuple[float, float] = (1.0, 5.0),
    ) -> None:
        self.url = url
        self.token = token
        self.on_message = on_message
        self.stop = stop
        self.session = Session()
        self.retry_base_seconds = retry_base_seconds
        self.invalid_session_pause = invalid_session_pause
        self._acked = True
        self._established = False  # READY or RESUMED came on this connection
        self._handler_failed = False  # a message could not be taken on this connection
        self._pause = 0.0  # before the next connection (INVALID_SESSION asks for one)

    # ---- the run

    async def run(self) -> None:
        """Connect, and connect again, until `stop` is set (or a fatal close)."""
        failures = 0
        while not self.stop.is_set():
            try:
                established = await self._connection()
            except (
                TimeoutError,
                OSError,
                ValueError,
                KeyError,
                websockets.WebSocketException,
            ) as error:
                # Unreachable, refused, or a HELLO we cannot read: try again later.
                logger.warning("discord gateway: connection failed: %r", error)
                established = False
            # A session that came up resumes at once; failures back off, up to a minute.
            failures = 0 if established else failures + 1
            backoff = self.retry_base_seconds * 2 ** (failures - 1) if failures else 0
            wait, self._pause = self._pause or min(backoff, MAX_RETRY_SECONDS), 0.0
            await self._sleep(wait)

    async def _sleep(self, seconds: float) -> None:
        """Wait, unless told to stop first."""
        if seconds <= 0:
            return
        try:
            await asyncio.wait_for(self.stop.wait(), timeout=seconds)
        except TimeoutError:
            pass

    def _connect_url(self) -> str:
        if not (self.session.session_id and self.session.resume_url):
            return self.url
        # The resume URL comes bare: it takes the same version and encoding.
        query = urlsplit(self.url).query
        return (
            f"{self.session.resume_url.rstrip('/')}/?{query}" if query else self.session.resume_url
        )

    async def _connection(self) -> bool:
        """One connection, to its close; True if the session was (re)established on it."""
        self._established = self._handler_failed = False
        async with websockets.connect(
            self._connect_url(), max_size=MAX_FRAME_BYTES, open_timeout=HELLO_TIMEOUT_SECONDS
        ) as socket:
            stopper = asyncio.create_task(self._close_on_stop(socket))
            # Events are handled in order by a task of their own, so that a slow message
            # (the bot answering) never keeps the reader from the heartbeat ACKs.
            events: asyncio.Queue = asyncio.Queue(maxsize=MAX_QUEUED_EVENTS)
            worker = asyncio.create_task(self._work(socket, events))
            heart = None
            try:
                hello = json.loads(await asyncio.wait_for(socket.recv(), HELLO_TIMEOUT_SECONDS))
                if not isinstance(hello, dict) or hello.get("op") != HELLO:
                    raise websockets.InvalidMessage("the gateway did not say HELLO")
                interval = float(hello["d"]["heartbeat_interval"]) / 1000
                self._acked = True
                heart = asyncio.create_task(self._heartbeat(socket, interval))
                resuming = bool(self.session.session_id)
                await self._send(socket, self._resume() if resuming else self._identify())
                await self._receive(socket, events)
            except websockets.ConnectionClosed:
                pass
            finally:
                stopper.cancel()
                if heart is not None:
                    heart.cancel()
                # The message in hand is finished; those queued behind it are dropped
                # unacknowledged: the RESUME has Discord send them again.
                _drain(events)
                events.put_nowait(None)
                await worker
        closed = socket.close_exc
        self._closed(closed.rcvd.code if closed is not None and closed.rcvd else None)
        return self._established

    def _identify(self) -> dict:
        properties = {"os": sys.platform, "browser": "beacon", "device": "beacon"}
        return {
            "op": IDENTIFY,
            "d": {"token": self.token, "intents": INTENTS, "properties": properties},
        }

    def _resume(self) -> dict:
        return {
            "op": RESUME,
            "d": {
                "token": self.token,
                "session_id": self.session.session_id,
                "seq": self.session.seq,
            },
        }

    def _closed(self, code: int | None) -> None:
        if code in FATAL_CLOSE_CODES:
            raise GatewayFatal(f"discord closed the gateway with {code}")
        if code in NEW_SESSION_CLOSE_CODES:
            self.session.forget()
        if code is not None and code != CLOSE_TO_RESUME:
            logger.info("discord gateway: closed with %s", code)

    async def _send(self, socket, payload: dict) -> None:
        await socket.send(json.dumps(payload))

    async def _close_on_stop(self, socket) -> None:
        await self.stop.wait()
        await socket.close(1000, "stopping")  # 1000 ends the session: a stop is final

    async def _heartbeat(self, socket, interval: float) -> None:
        await asyncio.sleep(interval * random.random())
        try:
            while True:
                if not self._acked:
                    logger.warning("discord gateway: no heartbeat ACK; reconnecting")
                    await socket.close(CLOSE_TO_RESUME, "zombied")
                    return
                self._acked = False
                await self._send(socket, {"op": HEARTBEAT, "d": self.session.seq})
                await asyncio.sleep(interval)
        except websockets.ConnectionClosed:
            return  # the receiving side sees the close and decides

    # ---- what the gateway says

    async def _work(self, socket, events: asyncio.Queue) -> None:
        while (payload := await events.get()) is not None:
            if not await self._dispatch(payload):
                # Counted as a failure: while the database is away, retries back off.
                self._established = False
                self._handler_failed = True
                _drain(events)
                await socket.close(CLOSE_TO_RESUME, "handler unavailable")
                return

    async def _receive(self, socket, events: asyncio.Queue) -> None:
        async for raw in socket:
            if self._handler_failed:
                return  # the worker is closing the connection: read no more
            try:
                payload = json.loads(raw)
            except ValueError:
                logger.warning("discord gateway: a frame that is not JSON")
                continue
            if not isinstance(payload, dict):
                continue
            op = payload.get("op")
            if op == DISPATCH:
                await events.put(payload)
            elif op == HEARTBEAT:
                await self._send(socket, {"op": HEARTBEAT, "d": self.session.seq})
            elif op == HEARTBEAT_ACK:
                self._acked = True
            elif op == RECONNECT:
                await socket.close(CLOSE_TO_RESUME, "reconnect asked")
                return
            elif op == INVALID_SESSION:
                if payload.get("d") is not True:
                    self.session.forget()
                self._pause = random.uniform(*self.invalid_session_pause)
                await socket.close(CLOSE_TO_RESUME, "invalid session")
                return

    async def _dispatch(self, payload: dict) -> bool:
        """One event, then its sequence number is ours (heartbeats and RESUME carry it);
        False when the handler could not take it: unacknowledged, Discord replays it."""
        kind, data, seq = payload.get("t"), payload.get("d"), payload.get("s")
        if not isinstance(data, dict):
            data = {}
        if kind == "READY":
            user = data.get("user") if isinstance(data.get("user"), dict) else {}
            self.session.session_id = str(data.get("session_id") or "")
            self.session.resume_url = str(data.get("resume_gateway_url") or "")
            self.session.bot_user_id = str(user.get("id") or "")
            self._established = True
            logger.info("discord gateway: ready as %s", self.session.bot_user_id)
        elif kind == "RESUMED":
            self._established = True
            logger.info("discord gateway: resumed at %s", self.session.seq)
        elif kind == "MESSAGE_CREATE":
            try:
                await self.on_message(data, self.session.bot_user_id)
            except Unavailable as error:
                logger.warning(
                    "discord gateway: message %s left for later: %s", data.get("id"), error
                )
                return False
            except Exception:
                # A message this code cannot take would fail again on every replay.
                logger.exception("discord gateway: message %s dropped", data.get("id"))
        if isinstance(seq, int) and not isinstance(seq, bool):
            self.session.seq = seq
        return True


def _drain(events: asyncio.Queue) -> None:
    while not events.empty():
        events.get_nowait()
