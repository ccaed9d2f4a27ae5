"""Canned replies: fill a macro's placeholders for one ticket and one agent."""

from __future__ import annotations

import re

from tickets.models import Macro, Ticket

# Only `{name}` of a known placeholder is replaced; anything else in braces (a typo,
# `{customer.name}`, `{x[0]}`, a stray brace) stays as written, so no macro body, however
# odd, can break the ticket page (str.format would raise or reach into attributes).
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def macro_render(*, macro: Macro, ticket: Ticket, agent) -> str:
    values = {
        "customer_name": ticket.requester.first_name or ticket.requester.email.split("@")[0],
        "uid": str(ticket.requester.uid),
        "ticket_number": ticket.number,
        "agent_name": agent.first_name or agent.email.split("@")[0],
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), macro.body)


def macros_for_ticket(*, ticket: Ticket, agent) -> list[tuple[Macro, str]]:
    """Active macros, the ticket's language first, each rendered for this ticket."""
    macros = sorted(
        Macro.objects.filter(is_active=True), key=lambda m: (m.language != ticket.language, m.title)
    )
    return [(macro, macro_render(macro=macro, ticket=ticket, agent=agent)) for macro in macros]
