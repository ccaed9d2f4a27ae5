"""One interface for every outside platform: verify and parse a webhook, send a reply.

An adapter knows its platform's wire format and nothing of Beacon's chats; services.py
turns its InboundMessages into live chat, tasks.py hands it the outbox's rows.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import httpx
from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Platform updates are small; anything bigger is refused before it is parsed.
MAX_BODY_BYTES = 64 * 1024
# A reply is cut to what every platform accepts (Discord: 2000 characters).
MAX_REPLY_CHARS = 2000
# A request signed with a time further than this from ours is a replay of a captured one.
MAX_CLOCK_SKEW_SECONDS = 300


@dataclass(frozen=True)
class InboundMessage:
    """A message from a platform user, in Beacon's words."""

    platform: str
    event_id: str  # the platform's update / event / interaction id: replays repeat it
    user_id: str
    handle: str
    text: str
    message_id: str
    reply_to: str = ""  # where the reply goes, when not the user id (a chat, a DM channel)
    language: str = ""  # the platform's hint ("zh-hans", "en"), if it gives one


@dataclass
class Parsed:
    """What a verified webhook held: messages to handle, and the answer the platform wants
    at once (Discord's PONG, X's CRC), if not a plain 200."""

    messages: list[InboundMessage] = field(default_factory=list)
    response: HttpResponse | None = None


class Refused(Exception):
    """The request is not the platform's (bad or missing signature): 401/403, logged."""

    def __init__(self, reason: str, status: int = 401):
        super().__init__(reason)
        self.reason = reason
        self.status = status


class BadRequest(Exception):
    """Signed, but not a body we can read: 400."""


class SendError(Exception):
    """A reply was not delivered. `transient`: try again later (the platform was down,
    slow or rate-limited us); otherwise it never will be (the user blocked the bot)."""

    def __init__(self, reason: str, *, transient: bool):
        super().__init__(reason)
        self.reason = reason[:300]
        self.transient = transient


class ChannelAdapter(ABC):
    platform: str = ""

    @abstractmethod
    def configured(self) -> bool:
        """Are this platform's secrets set? An unconfigured webhook answers 404."""

    def parse(self, request: HttpRequest) -> Parsed:
        """Every webhook's steps, in this order: a handshake the platform expects (no
        signature), then the platform's check (Refused), the signed time (Refused: a
        replay), and only then the body is read (BadRequest). The view logs a refusal; a
        replayed event id is ignored by services.inbound_handle."""
        answer = self.handshake(request)
        if answer is not None:
            return Parsed(response=answer)
        self.verify(request)
        signed_at = self.signed_at(request)
        if signed_at is not None and (
            not signed_at.isdigit() or abs(time.time() - int(signed_at)) > MAX_CLOCK_SKEW_SECONDS
        ):
            raise Refused("stale timestamp")
        return self.read(self.json(self.body(request)))

    def handshake(self, request: HttpRequest) -> HttpResponse | None:
        """An unsigned request the platform sends to check the endpoint (X's CRC), answered
        at once; None for a delivery."""
        return None

    @abstractmethod
    def verify(self, request: HttpRequest) -> None:
        """Is the request the platform's (its secret, its signature)? Refused if not."""

    def signed_at(self, request: HttpRequest) -> str | None:
        """The time the platform signed with the request (Unix seconds), if it signs one."""
        return None

    @abstractmethod
    def read(self, payload: dict) -> Parsed:
        """The verified JSON body, in Beacon's words; BadRequest when it makes no sense."""

    @abstractmethod
    def send(self, *, target: str, text: str, idempotency_key: str) -> str:
        """Post `text` to `target`; the platform's message id. SendError when not sent."""

    # ---- helpers for the adapters

    @staticmethod
    def body(request: HttpRequest) -> bytes:
        """The raw body (a signature's input), refused when too big. Read once by Django:
        verify() and read() may both ask."""
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            raise BadRequest("body too large")
        body = request.body
        if len(body) > MAX_BODY_BYTES:
            raise BadRequest("body too large")
        return body

    @staticmethod
    def json(body: bytes) -> dict:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:  # deep nesting too
            raise BadRequest("not JSON") from error
        if not isinstance(data, dict):
            raise BadRequest("not a JSON object")
        return data

    @staticmethod
    def post_json(url: str, payload: dict, *, headers: dict | None = None) -> dict:
        """POST JSON; the reply's JSON. Network trouble, 429 and 5xx are transient."""
        try:
            response = httpx.post(
                url, json=payload, headers=headers or {}, timeout=settings.OUTSIDE_HTTP_TIMEOUT
            )
        except httpx.HTTPError as error:
            raise SendError(f"{type(error).__name__}: {error}", transient=True) from error
        if response.status_code == 429 or response.status_code >= 500:
            raise SendError(f"HTTP {response.status_code}", transient=True)
        if response.status_code >= 400:
            raise SendError(f"HTTP {response.status_code}: {response.text[:200]}", transient=False)
        try:
            data = response.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}


def text_field(value, limit: int = 4000) -> str:
    """A string from a payload, or ''."""
    return value[:limit] if isinstance(value, str) else ""


def id_field(value) -> str:
    """A platform id (int or string of digits) as a string, or ''."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.isascii() and value.lstrip("-").isdigit():
        return value[:64]
    return ""


_REGISTRY: dict[str, ChannelAdapter] = {}


def register(adapter_class: type[ChannelAdapter]) -> type[ChannelAdapter]:
    _REGISTRY[adapter_class.platform] = adapter_class()
    return adapter_class


def adapter_for(platform: str) -> ChannelAdapter | None:
    return _REGISTRY.get(platform)


def adapters() -> dict[str, ChannelAdapter]:
    return dict(_REGISTRY)
