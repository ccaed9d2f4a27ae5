"""Channel-layer group names for chat, in one place (as tickets/groups.py is for the ticket
console)."""

from __future__ import annotations

from core.realtime import group_name


def conversation_group(public_id) -> str:
    """The customer's tabs in one conversation: public events only. An internal note is
    never sent here, so no bug in a consumer's filter can show one to a customer."""
    return group_name("chat", public_id)


def conversation_staff_group(public_id) -> str:
    """The agents' consoles on one conversation: every event, internal notes included."""
    return group_name("chat.staff", public_id)


def conversation_audience(public_id, *, customer: bool = True, staff: bool = True) -> list[str]:
    """The groups an event about a conversation goes to (both sides unless told)."""
    return [
        *([conversation_group(public_id)] if customer else []),
        *([conversation_staff_group(public_id)] if staff else []),
    ]


def agents_group() -> str:
    """Every agent's chat console: queue changes, presence."""
    return "chat.agents"


def agent_group(agent_id: int) -> str:
    """One agent's consoles: chats assigned to them."""
    return group_name("chat.agent", agent_id)
