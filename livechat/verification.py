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

from django.utils.translation import gettext as _

from livechat.models import AgentPresence, Conversation
from livechat.selectors import conversation_for_participant, visitor_key_for

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


def staff_id_identity(request, raw: str):
    """The verification page's check (helpcenter.identity_checks): answers for input that
    looks like a staff ID; "serving you now" when the agent has one of this visitor's chats."""
    from helpcenter.identity_checks import IdentityVerdict

    staff_id = normalise_staff_id(raw)
    if not STAFF_ID.match(staff_id):
        return None
    check = agent_check(staff_id=staff_id, user=request.user, session_key=None)
    if not check.genuine:
        return IdentityVerdict(genuine=False, label=staff_id)
    serving = _serving_visitor(staff_id, user=request.user, session_key=request.session.session_key)
    return IdentityVerdict(
        genuine=True,
        label=_("%(name)s, staff ID %(staff_id)s") % {"name": check.name, "staff_id": staff_id},
        detail=_("This agent is serving your chat right now.") if serving else "",
    )


def _serving_visitor(staff_id: str, *, user, session_key) -> bool:
    chats = Conversation.objects.filter(
        status=Conversation.Status.ACTIVE, agent__chat_presence__staff_id=staff_id
    )
    if user is not None and user.is_authenticated:
        return chats.filter(customer=user).exists()
    key = visitor_key_for(session_key)
    return bool(key) and chats.filter(customer__isnull=True, visitor_key=key).exists()
