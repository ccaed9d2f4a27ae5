"""Channel-layer group names for chat, in one place (as tickets/groups.py is for the ticket
console)."""

from __future__ import annotations

from core.realtime import group_name


def conversation_group(public_id) -> str:
    """Every socket in one conversation: the customer's tabs and the agent's console."""
    return group_name("chat", public_id)


def agents_group() -> str:
    """Every agent's chat console: queue changes, presence."""
    return "chat.agents"


def agent_group(agent_id: int) -> str:
    """One agent's consoles: chats assigned to them."""
    return group_name("chat.agent", agent_id)
