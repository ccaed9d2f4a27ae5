"""Taking a waiting chat by hand: an agent picks one from the queue, or a supervisor
gives one to a named agent, instead of waiting for routing.

The rule is routing's (livechat.services.routing.agent_serves): the chat's language among
the agent's, its skill among theirs (a general chat: anyone), and room under their
capacity. Routing already gives every waiting chat to an online agent who can serve it,
so taking by hand is for agents routing passes over: away (on a break, or a specialist
who picks their own) or on a page without the console's socket. A supervisor gives
chats only to agents who are online, but may go past their capacity: routing never does,
so a named decision to load a busy expert is what assigning by hand is for. Race safety: the chat row is locked first and
must still be waiting, then the agent's presence row, where the load is counted again;
two people taking the same chat queue on the chat's lock, and the second finds it taken.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, NotFound
from livechat.models import AgentPresence, Conversation
from livechat.services import routing
from tickets.permissions import is_staff_agent, is_supervisor


class Conflict(ApplicationError):
    """The chat or the agent changed under us (taken by someone else, agent full)."""

    status_code = 409


def _waiting_chat(public_id) -> Conversation:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound(_("No such chat."), code="not_found") from exc
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(public_id=key)
        .first()
    )
    if conversation is None:
        raise NotFound(_("No such chat."), code="not_found")
    if conversation.status != Conversation.Status.QUEUED:
        raise Conflict(_("This chat is no longer waiting: someone has taken it."), code="taken")
    return conversation


def _locked_presence(agent) -> AgentPresence | None:
    return (
        AgentPresence.objects.select_for_update()
        .select_related("agent")
        .filter(agent=agent, agent__is_active=True)
        .first()
    )


def _locked_presence_for(agent) -> AgentPresence:
    """The agent's own presence, made on first use (an agent who never opened the console)."""
    from livechat.services.presence import presence_for

    presence_for(agent)
    return _locked_presence(agent)


def serve_refusal(
    presence: AgentPresence | None, conversation: Conversation, *, by_supervisor: bool
) -> ApplicationError | None:
    """Why this agent may not take this chat now, or None. Call with the presence locked."""
    if presence is None or (by_supervisor and presence.status != AgentPresence.Status.ONLINE):
        return ApplicationError(
            _("Only an agent who is online can take chats."), code="agent_offline"
        )
    if conversation.language not in (presence.languages or []):
        return ApplicationError(
            _("This chat is in a language the agent does not serve."), code="language"
        )
    if not routing.agent_serves(presence, language=conversation.language, skill=conversation.skill):
        return ApplicationError(_("This chat needs a skill the agent does not have."), code="skill")
    load = routing.active_loads([presence.agent_id])[presence.agent_id]
    if load >= presence.capacity and not by_supervisor:
        return Conflict(_("The agent has no room for another chat."), code="full")
    return None


def _hand_over(conversation: Conversation, agent, *, actor, by_supervisor: bool) -> Conversation:
    presence = _locked_presence(agent) if by_supervisor else _locked_presence_for(agent)
    refusal = serve_refusal(presence, conversation, by_supervisor=by_supervisor)
    if refusal is not None:
        raise refusal
    if presence.status == AgentPresence.Status.OFFLINE and presence.disconnected_at is None:
        # Taken from a page without the console's socket: if they never open the console,
        # the grace-period sweep gives the chat back to the queue, as for a lost connection.
        presence.disconnected_at = timezone.now()
        presence.save(update_fields=["disconnected_at"])
    routing.conversation_assign(
        conversation=conversation,
        presence=presence,
        by="supervisor" if by_supervisor else "agent",
        actor=actor,
        tell_queue=True,  # the others waiting move up
    )
    return conversation


@transaction.atomic
def conversation_take(*, user, public_id) -> Conversation:
    """The agent (or supervisor) takes a waiting chat for themselves."""
    if not is_staff_agent(user):
        raise NotFound(_("No such chat."), code="not_found")
    return _hand_over(_waiting_chat(public_id), user, actor=user, by_supervisor=False)


@transaction.atomic
def conversation_assign_to(*, user, public_id, staff_id: str) -> Conversation:
    """A supervisor gives a waiting chat to the agent with that staff ID."""
    if not is_supervisor(user):
        raise NotFound(_("No such chat."), code="not_found")
    conversation = _waiting_chat(public_id)
    target = (
        AgentPresence.objects.filter(staff_id=staff_id[:16]).select_related("agent").first()
        if isinstance(staff_id, str) and staff_id
        else None
    )
    if target is None or not is_staff_agent(target.agent):
        raise ApplicationError(_("No agent has that staff ID."), code="agent_unknown")
    return _hand_over(conversation, target.agent, actor=user, by_supervisor=True)
