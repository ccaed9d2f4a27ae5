"""Tokens for links that name one ticket and its requester, for use without signing in
(rating a solved request, confirming a request made in someone's name). Each kind of
link has its own salt, so a token of one kind never opens another."""

from __future__ import annotations

from django.core import signing

MAX_TOKEN_CHARS = 200


def make(*, salt: str, ticket_id: int, requester_id: int) -> str:
    return signing.dumps({"t": ticket_id, "u": requester_id}, salt=salt, compress=True)


def read(token: str, *, salt: str, max_age: int) -> tuple[int, int] | None:
    """(ticket id, requester id), or None for a tampered, foreign or expired token."""
    if len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in ("t", "u")):
        return None
    return data["t"], data["u"]
