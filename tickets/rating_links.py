"""Signed links that let a customer rate a solved ticket from an email, without signing in."""

from __future__ import annotations

from django.core import signing

SALT = "tickets.rating-link"
MAX_AGE_SECONDS = 30 * 24 * 3600


def make_token(*, ticket_id: int, requester_id: int) -> str:
    return signing.dumps({"t": ticket_id, "u": requester_id}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, int] | None:
    """(ticket id, requester id), or None for a tampered, foreign or expired token."""
    if len(token) > 200:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in ("t", "u")):
        return None
    return data["t"], data["u"]
