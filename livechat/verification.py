"""Proof of agent identity: is this staff ID a real agent, and are they serving this chat?

Impostors posing as support staff are the commonest scam on exchanges, so a customer can
check the staff ID shown on every agent message. The first answer (a real, active agent)
is public; the second (serving this conversation now) only to the conversation's owner,
so nobody can learn who serves whose chats.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from livechat.models import AgentPresence, Conversation
from livechat.selectors import conversation_for_participant

STAFF_ID = re.compile(r"^BCN-[0-9]{5}$")


@dataclass(frozen=True)
class AgentCheck:
    staff_id: str
    genuine: bool  # a real agent of ours, with an active account
    name: str  # their first name as shown in chats ("" when not genuine)
    serving: bool | None  # serving this conversation now; None when not asked or not yours


def normalise_staff_id(raw: str) -> str:
    """What people type: spaces, lower case, a missing dash ("bcn 12345")."""
    compact = re.sub(r"[\s\-_]", "", raw or "").upper()[:20]
    return f"BCN-{compact[3:]}" if compact.startswith("BCN") else compact


def agent_check(*, staff_id: str, conversation_id: str = "", user, session_key) -> AgentCheck:
    staff_id = normalise_staff_id(staff_id)
    presence = None
    if STAFF_ID.match(staff_id):
        presence = (
            AgentPresence.objects.select_related("agent")
            .filter(staff_id=staff_id, agent__is_active=True, agent__is_staff=True)
            .first()
        )
    genuine = presence is not None
    serving = None
    conversation = _own_conversation(conversation_id, user=user, session_key=session_key)
    if conversation is not None:
        serving = (
            genuine
            and conversation.status == Conversation.Status.ACTIVE
            and conversation.agent_id == presence.agent_id
        )
    name = presence.agent.first_name if genuine else ""
    return AgentCheck(staff_id=staff_id, genuine=genuine, name=name, serving=serving)


def _own_conversation(raw: str, *, user, session_key) -> Conversation | None:
    if not raw:
        return None
    try:
        public_id = uuid.UUID(str(raw))
    except ValueError:
        return None
    return conversation_for_participant(user=user, session_key=session_key, public_id=public_id)
