"""Every read of chats; who may see a conversation is decided here, once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import Role, User
from livechat.models import AgentPresence, ChatMessage, Conversation


def visitor_key_for(session_key: str | None) -> str:
    """An anonymous visitor's key: their session, hashed (the key itself is a credential)."""
    return hashlib.sha256(session_key.encode()).hexdigest() if session_key else ""


def conversation_for_participant(
    *, user, session_key: str | None, public_id
) -> Conversation | None:
    """The conversation if this customer (or anonymous browser) owns it, else None.

    Staff reach chats through their assignments (see the agent services), not here.
    """
    rows = Conversation.objects.filter(public_id=public_id)
    if user is not None and user.is_authenticated:
        return rows.filter(customer=user).first()
    key = visitor_key_for(session_key)
    return rows.filter(customer__isnull=True, visitor_key=key).first() if key else None


def conversation_for_request(request: HttpRequest, public_id) -> Conversation | None:
    return conversation_for_participant(
        user=request.user, session_key=request.session.session_key, public_id=public_id
    )


def messages_after(
    *, conversation: Conversation, after: int, include_internal: bool = False
) -> QuerySet[ChatMessage]:
    """What a client that saw up to `after` has missed, in order."""
    rows = conversation.messages.filter(seq__gt=after).select_related(
        "author", "author__chat_presence"
    )
    if not include_internal:
        rows = rows.filter(visibility=ChatMessage.Visibility.PUBLIC)
    return rows.order_by("seq")


@dataclass(frozen=True)
class ChatAgent:
    agent: User
    presence: AgentPresence | None  # None: never opened the chat console
    load: int


def chat_agents() -> list[ChatAgent]:
    """Every active agent and supervisor (superusers aside), with their chat profile and
    how many chats they have open, by name."""
    from livechat.services.routing import active_loads

    holders = (
        User.objects.filter(
            groups__name__in=[Role.AGENT.value, Role.SUPERVISOR.value, Role.ADMIN.value],
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "id")
    )
    agents = list(holders)
    presences = AgentPresence.objects.in_bulk([a.pk for a in agents])
    loads = active_loads([a.pk for a in agents])
    return [ChatAgent(a, presences.get(a.pk), loads[a.pk]) for a in agents]


def agents_online() -> list[AgentPresence]:
    """Agents taking chats now (online, active), by name."""
    return list(
        AgentPresence.objects.filter(status=AgentPresence.Status.ONLINE, agent__is_active=True)
        .select_related("agent")
        .order_by("agent__first_name", "staff_id")
    )


@dataclass(frozen=True)
class WaitingRow:
    conversation: Conversation
    position: int
    eta_seconds: int
    can_take: bool  # the viewer serves its language and skill (room and status aside)
    agents: list[AgentPresence]  # online agents who serve it (a supervisor may pass capacity)


def waiting_for_console(*, user) -> list[WaitingRow]:
    """The queue as the console's waiting page shows it to `user`, in queue order."""
    from livechat.services.presence import presence_for
    from livechat.services.queue import queue_positions
    from livechat.services.routing import agent_serves

    mine = presence_for(user)
    online = agents_online()
    rows = []
    for w in queue_positions():
        kind = {"language": w.conversation.language, "skill": w.conversation.skill}
        rows.append(
            WaitingRow(
                conversation=w.conversation,
                position=w.position,
                eta_seconds=w.eta_seconds,
                can_take=agent_serves(mine, **kind),
                agents=[p for p in online if agent_serves(p, **kind)],
            )
        )
    return rows
