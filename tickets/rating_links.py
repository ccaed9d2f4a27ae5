"""Signed links that let a customer rate a solved ticket from an email, without signing in."""

from __future__ import annotations

from tickets import signed_links

SALT = "tickets.rating-link"
MAX_AGE_SECONDS = 30 * 24 * 3600


def make_token(*, ticket_id: int, requester_id: int) -> str:
    return signed_links.make(salt=SALT, ticket_id=ticket_id, requester_id=requester_id)


def read_token(token: str) -> tuple[int, int] | None:
    """(ticket id, requester id), or None for a tampered, foreign or expired token."""
    return signed_links.read(token, salt=SALT, max_age=MAX_AGE_SECONDS)
