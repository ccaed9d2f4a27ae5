"""Which changes a conversation may go through, in one place (as tickets/workflow.py is
for tickets). livechat.services.transitions applies them; nothing else sets the status.

bot → queued (asked for a person) → active (an agent took it) → ended; an active chat may
go back to the queue (transferred to a group, its agent lost) or to another agent (a
transfer: active → active); a chat may end from any open state (the customer leaves, a
message left for later, a visitor gone). Ended is final: a new question is a new chat.
"""

from __future__ import annotations

from livechat.models import Conversation

S = Conversation.Status

TRANSITIONS: dict[str, set[str]] = {
    S.BOT: {S.QUEUED, S.ENDED},
    S.QUEUED: {S.ACTIVE, S.ENDED},
    S.ACTIVE: {S.ACTIVE, S.QUEUED, S.ENDED},
    S.ENDED: set(),
}


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())
