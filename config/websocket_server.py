"""The ASGI servers' websocket protocols, made to read a message past the size cap and
pass its head on: uvicorn's wsproto one (as deployed, config/web.py) and daphne's
(`manage.py runserver`).

daphne (autobahn under it) keeps at most --websocket_max_message_size of a message (1 MiB
by default) and drops the TCP connection at the first byte past it: the browser sees
1006 and the app never hears of the message. With this protocol the server still keeps
at most that much, but reads and discards the rest and hands the app the head it kept:
the app's own limit, far below (core.sockets.frames.MAX_FRAME_BYTES, 16 KiB), answers
with a `too_large` error frame and the connection stays open, at any size.

So the app's limit must stay below the server's cap. A message at or under the cap
arrives whole, as before; the cap still bounds each connection's memory.

uvicorn, left alone, closes the connection with 1009 past --ws-max-size. Its wsproto
protocol hands over a message's data as it arrives, so `HeadKeepingWSProtocol` can keep
the head and drop the rest the same way (config/web.py runs uvicorn with it). Its other
protocol, on the websockets library, cannot: that parser holds a whole frame before
anyone sees it.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from uvicorn.protocols.websockets.wsproto_impl import WebsocketBuffer, WSProtocol
from wsproto import events


class HeadKeepingWebSocketProtocol(WebSocketProtocol):
    # autobahn's hooks, as WebSocketProtocol (autobahn.websocket.protocol) defines them;
    # the size checks there would drop the connection, so these count instead.

    def onMessageBegin(self, isBinary: bool) -> None:
        super().onMessageBegin(isBinary)
        self.kept = 0
        self.cut = False

    def onMessageFrameBegin(self, length: int) -> None:
        self.frame_length = length
        self.frame_data = []
        self.message_data_total_length += length

    def onMessageFrameData(self, payload: bytes) -> None:
        cap = self.factory.maxMessagePayloadSize  # 0: no cap, as in autobahn
        if cap and self.kept + len(payload) > cap:
            payload = payload[: max(cap - self.kept, 0)]
            self.cut = True
        if payload:
            self.kept += len(payload)
            self.frame_data.append(payload)

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        if self.cut and not isBinary:
            # The cut may fall inside a character; the app refuses the head by its size.
            payload = payload.decode("utf-8", "ignore").encode("utf-8")
        super().onMessage(payload, isBinary)


def install() -> None:
    """Make daphne build this protocol for every websocket. Called by config.asgi, which
    daphne imports before it starts listening (and so does `manage.py runserver`)."""
    WebSocketFactory.protocol = HeadKeepingWebSocketProtocol


class HeadKeepingBuffer(WebsocketBuffer):
    """uvicorn's message buffer, keeping at most `max_length` bytes of a message."""

    def extend(self, event: events.TextMessage | events.BytesMessage) -> None:
        if self.value is None:
            self.value = BytesIO()  # text kept as UTF-8 bytes, cut on a byte count
            self.is_text = isinstance(event, events.TextMessage)
        data = event.data.encode() if isinstance(event.data, str) else event.data
        room = self.max_length - self.length
        if room > 0:
            self.value.write(data[:room])
        self.length += len(data)  # counted whole; never past max_length in memory

    def to_message(self) -> Any:
        data = self.value.getvalue()
        if self.is_text:
            # The cut may fall inside a character; the app refuses the head by its size.
            return {"type": "websocket.receive", "text": data.decode("utf-8", "ignore")}
        return {"type": "websocket.receive", "bytes": data}


class HeadKeepingWSProtocol(WSProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.buffer = HeadKeepingBuffer(self.config.ws_max_size)
