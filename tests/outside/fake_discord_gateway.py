"""A local Discord Gateway (asyncio + websockets.serve) speaking the documented protocol
from the recorded-style fixtures: HELLO, IDENTIFY -> READY, heartbeats ACKed, DISPATCH
with sequence numbers, RESUME replaying what the session missed -> RESUMED, and on
demand RECONNECT (7), INVALID_SESSION (9) or silence (no ACKs: a zombie connection).
https://discord.com/developers/docs/events/gateway

It runs its own event loop in a thread; the test calls it from the main thread.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import uuid

import websockets

from tests.outside.conftest import fixture
from tests.outside.fake_platforms import DISCORD_TOKEN

BOT_USER_ID = fixture("discord_gateway_ready.json")["d"]["user"]["id"]


class FakeGateway:
    def __init__(self, *, heartbeat_ms: int = 100) -> None:
        self.heartbeat_ms = heartbeat_ms
        self.frames: list[dict] = []  # what the client sent, every connection, in order
        self.paths: list[str] = []  # each connection's path and query
        self.close_codes: list[int | None] = []  # how each connection was closed by the client
        self.ack = True  # answer heartbeats (False: a zombie connection)
        self.session_id = ""
        self.seq = 0
        self.log: list[dict] = []  # the session's dispatches: a RESUME replays from here
        self.ready = threading.Event()  # READY or RESUMED sent on the current connection
        self._socket = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle (from the test's thread)

    def start(self) -> None:
        started = threading.Event()

        async def listen():
            return await websockets.serve(self._serve, "127.0.0.1", 0)

        def main() -> None:
            self._loop = asyncio.new_event_loop()
            try:
                self._server = self._loop.run_until_complete(listen())
            finally:
                started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=main, daemon=True)
        self._thread.start()
        started.wait()

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()

        self._call(close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    @property
    def port(self) -> int:
        return self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/?v=10&encoding=json"

    def sent_by_client(self, op: int) -> list[dict]:
        return [frame for frame in list(self.frames) if frame.get("op") == op]

    # ---- what the test makes Discord do

    def dispatch(self, name: str, data: dict) -> int:
        """An event in the session (sent now if connected, else kept for RESUME); its seq."""
        return self._call(self._dispatch(name, copy.deepcopy(data)))

    def redeliver(self, seq: int) -> None:
        """The event with this seq, sent once more as it was (a duplicate delivery)."""
        event = next(event for event in self.log if event["s"] == seq)
        self._call(self._send(event))

    def opcode(self, op: int, data=None) -> None:
        """RECONNECT (7), INVALID_SESSION (9, d: resumable?), HEARTBEAT (1) request."""
        self.ready.clear()
        self._call(self._send({"op": op, "d": data, "s": None, "t": None}))

    def close_with(self, code: int) -> None:
        """Discord closing the connection with a close code (4009: session timed out)."""
        self.ready.clear()

        async def close() -> None:
            if self._socket is not None:
                await self._socket.close(code, "closed by the fake")

        self._call(close())

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    # ---- the server

    async def _send(self, payload: dict) -> None:
        if self._socket is None:
            return
        try:
            await self._socket.send(json.dumps(payload))
        except websockets.ConnectionClosed:
            pass  # kept in the log: the client gets it on RESUME

    async def _dispatch(self, name: str, data: dict) -> int:
        self.seq += 1
        event = {"op": 0, "s": self.seq, "t": name, "d": data}
        self.log.append(event)
        await self._send(event)
        return self.seq

    async def _serve(self, socket) -> None:
        self.paths.append(socket.request.path)
        hello = fixture("discord_gateway_hello.json")
        hello["d"]["heartbeat_interval"] = self.heartbeat_ms
        await socket.send(json.dumps(hello))
        try:
            first = json.loads(await socket.recv())
            self.frames.append(first)
            if not await self._open(socket, first):
                return
            async for raw in socket:
                frame = json.loads(raw)
                self.frames.append(frame)
                if frame.get("op") == 1 and self.ack:
                    await socket.send(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
        except websockets.ConnectionClosed:
            pass
        finally:
            if self._socket is socket:
                self._socket = None
            closed = socket.close_exc
            self.close_codes.append(closed.rcvd.code if closed and closed.rcvd else None)

    async def _open(self, socket, first: dict) -> bool:
        """IDENTIFY starts a session, RESUME continues one; False when the socket is done."""
        data = first.get("d") or {}
        if data.get("token") != DISCORD_TOKEN:
            await socket.close(4004, "Authentication failed.")
            return False
        if first.get("op") == 2:
            self.session_id, self.seq, self.log = uuid.uuid4().hex, 0, []
            self._socket = socket
            ready = fixture("discord_gateway_ready.json")["d"]
            ready["session_id"] = self.session_id
            ready["resume_gateway_url"] = f"ws://127.0.0.1:{self.port}"
            await self._dispatch("READY", ready)
            self.ready.set()
            return True
        if first.get("op") == 6:
            if data.get("session_id") != self.session_id:
                await socket.send(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
                return True  # the client closes it
            self._socket = socket
            for event in list(self.log):
                if event["s"] > (data.get("seq") or 0):
                    await socket.send(json.dumps(event))
            await self._dispatch("RESUMED", fixture("discord_gateway_resumed.json")["d"])
            self.ready.set()
            return True
        await socket.close(4003, "Not authenticated.")
        return False
