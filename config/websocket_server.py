"""daphne's websocket protocol, made to read a message past its size cap and pass it on.

daphne (autobahn under it) keeps at most --websocket_max_message_size of a message (1 MiB
by default) and drops the TCP connection at the first byte past it: the browser sees
1006 and the app never hears of the message. With this protocol the server still keeps
at most that much, but reads and discards the rest and hands the app the head it kept:
the app's own limit, far below (core.sockets.frames.MAX_FRAME_BYTES, 16 KiB), answers
with a `too_large` error frame and the connection stays open, at any size.

So the app's limit must stay below the server's cap. A message at or under the cap
arrives whole, as before; the cap still bounds each connection's memory. (Only daphne:
uvicorn's --ws-max-size closes the connection with 1009 instead.)
"""

from __future__ import annotations

from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol


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
