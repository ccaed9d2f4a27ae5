"""Canned replies: fill a macro's placeholders for one ticket and one agent."""

from __future__ import annotations

from tickets.models import Macro, Ticket


class _KeepUnknown(dict):
    def __missing__(self, key: str) -> str:  # a typo in a macro shows, rather than crashing
        return "{" + key + "}"


def macro_render(*, macro: Macro, ticket: Ticket, agent) -> str:
    values = _KeepUnknown(
        customer_name=ticket.requester.first_name or ticket.requester.email.split("@")[0],
        uid=str(ticket.requester.uid),
        ticket_number=ticket.number,
        agent_name=agent.first_name or agent.email.split("@")[0],
    )
    try:
        return macro.body.format_map(values)
    except (ValueError, IndexError):  # stray braces: show the text as written
        return macro.body


def macros_for_ticket(*, ticket: Ticket, agent) -> list[tuple[Macro, str]]:
    """Active macros, the ticket's language first, each rendered for this ticket."""
    macros = sorted(
        Macro.objects.filter(is_active=True), key=lambda m: (m.language != ticket.language, m.title)
    )
    return [(macro, macro_render(macro=macro, ticket=ticket, agent=agent)) for macro in macros]
