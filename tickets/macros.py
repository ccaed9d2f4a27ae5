"""Canned replies: fill a macro's placeholders for one ticket or one chat, and one agent.

Tickets and chats share the macros and this renderer (livechat.services.chat_macros gives
a chat's values). A placeholder without a value for this ticket or chat (an anonymous
visitor has no UID, a chat not yet a ticket has no number) stays as written and is named
in `missing`, so the agent is told before sending; a reply to a customer that still holds
one is refused (`unfilled_placeholders`), so none is ever sent raw.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tickets.models import Macro, Ticket

# What a macro may use (Macro.body's help text says the same).
PLACEHOLDERS = ("customer_name", "uid", "ticket_number", "agent_name")
# Only `{name}` of a known placeholder is replaced; anything else in braces (a typo,
# `{customer.name}`, `{x[0]}`, a stray brace) stays as written, so no macro body, however
# odd, can break the page (str.format would raise or reach into attributes).
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


@dataclass(frozen=True)
class Filled:
    text: str
    missing: list[str]  # placeholders left as written, in the order they first appear


def macro_fill(body: str, values: dict[str, str]) -> Filled:
    """`body` with each known placeholder that has a (non-empty) value filled in."""
    missing: list[str] = []

    def fill(match: re.Match) -> str:
        value = values.get(match[1])
        if value:
            return value
        if match[1] not in missing:
            missing.append(match[1])
        return match[0]

    return Filled(_PLACEHOLDER.sub(fill, body), missing)


def unfilled_placeholders(text: str) -> list[str]:
    """Known placeholders still written raw in a reply about to be sent."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(text)))


def agent_name(agent) -> str:
    return agent.first_name or agent.email.split("@")[0]


def customer_name(user) -> str:
    return user.first_name or user.email.split("@")[0]


def macro_render(*, macro: Macro, ticket: Ticket, agent) -> str:
    values = {
        "customer_name": customer_name(ticket.requester),
        "uid": str(ticket.requester.uid),
        "ticket_number": ticket.number,
        "agent_name": agent_name(agent),
    }
    return macro_fill(macro.body, values).text


def macros_for_ticket(
    *, ticket: Ticket, agent, active: Iterable[Macro] | None = None
) -> list[tuple[Macro, str]]:
    """Active macros, the ticket's language first, each rendered for this ticket.

    `active`: the active macros when the caller has read them already.
    """
    if active is None:
        active = Macro.objects.filter(is_active=True)
    macros = sorted(active, key=lambda m: (m.language != ticket.language, m.title))
    return [(macro, macro_render(macro=macro, ticket=ticket, agent=agent)) for macro in macros]
