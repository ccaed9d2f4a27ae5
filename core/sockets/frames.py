"""A client frame, from the wire to a dict, or the error that answers it.

Every socket reads its frames here, so each refuses the same things the same way and
stays open: too many frames, a frame past the size limit, binary or malformed JSON, a
non-object, a missing or unknown `type`, and characters no person types (NUL, which
PostgreSQL cannot store, and lone surrogates, which are not text at all) in any string,
key or value, at any depth. Pure: no I/O, no Django.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.text import is_storable

# The limit every socket holds. Far below the server's own (it keeps up to 1 MiB of a
# message, see config/websocket_server.py), so that it is this limit that answers.
MAX_FRAME_BYTES = 16 * 1024
# Ten frames a second, with a burst of ten: typing and read receipts fit easily, a
# runaway client loop does not.
RATE_PER_SECOND = 10.0
RATE_BURST = 10.0

_TYPE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)*$")


class FrameError(Exception):
    """The `error` frame that answers a frame; the connection stays open. Handlers may
    raise it too, for a field the frame got wrong. `client_id`: the refused frame's, when
    it had one, so the client knows which message to send again."""

    def __init__(self, code: str, message: str, *, client_id: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.client_id = code, str(message), client_id


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


def frame_read(text: str | None, *, bucket: TokenBucket) -> dict[str, Any]:
    """The frame as a dict with a well-formed `type`; raises FrameError.

    The rate limit counts every frame, refused ones too."""
    if not bucket.take():
        raise FrameError(
            "rate_limited", str(_("Too many frames; slow down.")), client_id=client_id_of(text)
        )
    if text is None:
        raise FrameError("bad_frame", str(_("Frames must be JSON text.")))
    # len() first: a str of more characters than the limit has more bytes too, and
    # encoding a huge frame only to measure it would cost what the limit saves.
    if len(text) > MAX_FRAME_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        raise FrameError("too_large", str(_("Frames can be at most 16 KiB.")))
    try:
        content = json.loads(text)
    except (ValueError, RecursionError):  # "[[[[…" 16 KiB deep passes the recursion limit
        raise FrameError("bad_frame", str(_("Frames must be JSON objects."))) from None
    kind = content.get("type") if isinstance(content, dict) else None
    if not isinstance(kind, str) or not _TYPE.match(kind):
        raise FrameError("bad_frame", str(_("Unknown or malformed frame.")))
    if not _all_storable(content):
        raise FrameError(
            "bad_frame",
            str(_("Frames cannot hold NUL characters or unpaired surrogates.")),
        )
    return content


def client_id_of(text: str | None) -> str | None:
    """The `client_id` of a frame's text, if it is a well-formed frame that has one."""
    if text is None or len(text) > MAX_FRAME_BYTES:
        return None
    try:
        content = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return _usable_client_id(content.get("client_id") if isinstance(content, dict) else None)


def client_id_of_frame(content: dict[str, Any]) -> str | None:
    """The `client_id` of a frame already read, if it has a usable one."""
    return _usable_client_id(content.get("client_id"))


def _usable_client_id(value: Any) -> str | None:
    # What every socket accepts as a client_id (1-64 storable characters).
    if isinstance(value, str) and 0 < len(value) <= 64 and is_storable(value):
        return value
    return None


class SendOrder:
    """Keeps a client's messages in the order it sent them when the rate limit refuses one.

    Once a frame with a `client_id` is refused, later frames with other client ids are
    refused too (with theirs) until the refused one comes again: a client that resends
    from the refused one, in order, stores its messages in the order they were written,
    and none can take a slot the refused one was waiting for. Per connection."""

    def __init__(self) -> None:
        self.waiting_for: str | None = None

    def refused(self, client_id: str | None) -> None:
        if client_id is not None and self.waiting_for is None:
            self.waiting_for = client_id

    def check(self, content: dict[str, Any]) -> None:
        """Raises the refusal of a frame that would overtake a refused one."""
        client_id = _usable_client_id(content.get("client_id"))
        if self.waiting_for is None or client_id is None:
            return
        if client_id == self.waiting_for:
            self.waiting_for = None
            return
        raise FrameError(
            "rate_limited",
            str(_("Sent after a message that was refused; send that one again first.")),
            client_id=client_id,
        )


def _all_storable(value: Any) -> bool:
    """No NUL or lone surrogate in any string of `value` (keys too). Iterative: a frame
    nested thousands deep must not hit the recursion limit."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not is_storable(item):
                return False
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True
