"""URL parameters that match only their real format, so a hostile value never reaches a
view: the resolver answers 404 first. Registered in CoreConfig.ready."""

from __future__ import annotations

from django.urls import register_converter


class TicketNumberConverter:
    """`YYMMDD-NNNNNN` (tickets.services._common._next_number); the sequence grows past six
    digits only on a day with a million tickets, and Ticket.number holds 16 characters."""

    regex = r"[0-9]{6}-[0-9]{6,9}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class SignedTokenConverter:
    """A django.core.signing token: URL-safe base64 and ':' (a leading '.' when compressed).
    Its length is the view's to judge: a long one is a bad link (400), not a missing page."""

    regex = r"[A-Za-z0-9_\-:.]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register() -> None:
    register_converter(TicketNumberConverter, "ticket")
    register_converter(SignedTokenConverter, "signed")
