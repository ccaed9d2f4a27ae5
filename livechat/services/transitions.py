"""The one way a conversation changes status or agent.

Every path (the customer's end, an agent's end or transfer, routing, taking a chat by
hand, the bot's hand-off, the sweeps, a message left for later) calls
`conversation_move` with the conversation's row locked. It checks the change against
livechat.workflow, stamps the times, writes a ConversationEvent, posts the system line
the caller gives, tells both sides (`conversation.update`; the customer's group never
carries staff-only events), and, when an agent's room is freed, gives it to the next
waiting chat in the same transaction, whether or not any console is open to hear of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.realtime import broadcast_on_commit, broadcast_to_groups_on_commit
from livechat import workflow
from livechat.groups import agent_group, conversation_audience
from livechat.models import ChatMessage, Conversation, ConversationEvent
from livechat.services.messages import message_post

S = Conversation.Status


@dataclass(frozen=True)
class Notice:
    """The system line the customer and agent see about the change, already in the
    chat's language (the caller translates: only it knows what to say)."""

    text: str
    data: dict = field(default_factory=dict)
    author: object = None


def agent_frame(agent) -> dict | None:
    """The agent as a customer may see them: first name and staff number, no more."""
    if agent is None:
        return None
    presence = getattr(agent, "chat_presence", None)
    return {"name": agent.first_name or "", "staff_id": presence.staff_id if presence else ""}


def conversation_update_frame(conversation: Conversation) -> dict:
    """The `conversation.update` event (PROTOCOL.md), built here only."""
    return {
        "type": "conversation.update",
        "conversation": str(conversation.public_id),
        "status": conversation.status,
        "agent": agent_frame(conversation.agent),
        "rating": conversation.rating,
    }


def conversation_broadcast_update(conversation: Conversation) -> None:
    broadcast_to_groups_on_commit(
        conversation_audience(conversation.public_id), conversation_update_frame(conversation)
    )


def conversation_move(
    conversation: Conversation,
    *,
    to: str,
    by: str,
    actor=None,
    agent=None,
    reason: str = "",
    notice: Notice | None = None,
    also: tuple[str, ...] = (),
    tell_queue: bool = True,
) -> Conversation:
    """Move the (locked) conversation to status `to`; `agent` is the agent it goes to
    when `to` is active. `also` names other fields the caller changed on the instance,
    saved in the same UPDATE. `tell_queue=False` when the caller tells the queue itself
    once for many chats (routing). Raises ApplicationError for a change the workflow
    does not allow (an ended chat stays ended)."""
    before, before_agent = conversation.status, conversation.agent_id
    if not workflow.allowed(before, to):
        if before == S.ENDED:
            raise ApplicationError(_("This chat has ended."), code="ended")
        raise ApplicationError(_("This chat is not open."), code="not_active")
    if to == S.ACTIVE and (agent is None or agent.pk == before_agent):
        raise ApplicationError(_("This chat is already yours."), code="bad_transfer")
    now = timezone.now()
    fields = {"status", *also}
    conversation.status = to
    if to == S.QUEUED:
        # Back in the queue keeps its place: the first time it waited, not now.
        conversation.queued_at = conversation.queued_at or now
        conversation.agent = None
        fields |= {"queued_at", "agent"}
    elif to == S.ACTIVE:
        conversation.agent = agent
        conversation.assigned_at = now
        fields |= {"agent", "assigned_at"}
    else:
        conversation.ended_at = now
        fields.add("ended_at")
    conversation.save(update_fields=sorted(fields))
    ConversationEvent.objects.create(
        conversation=conversation,
        from_status=before,
        to_status=to,
        by=by,
        actor=actor,
        from_agent_id=before_agent,
        to_agent_id=conversation.agent_id,
        reason=reason[:40],
        created_at=now,
    )
    if notice is not None:
        message_post(
            conversation=conversation,
            sender=ChatMessage.Sender.SYSTEM,
            body=notice.text,
            author=notice.author,
            data=notice.data,
        )
    _tell(conversation, before=before, before_agent=before_agent, by=by, tell_queue=tell_queue)
    return conversation


def _tell(conversation: Conversation, *, before: str, before_agent, by: str, tell_queue: bool):
    from livechat.services import routing  # routing moves chats through this module
    from livechat.services.queue import queue_broadcast

    conversation_broadcast_update(conversation)
    now_agent = conversation.agent_id if conversation.status != S.ENDED else None
    if before_agent is not None and before_agent != now_agent:
        # The chat leaves that agent's console: transferred, requeued, or ended by staff.
        # When the customer ends it, the agent keeps it open to read it or convert it.
        if conversation.status != S.ENDED or by in ("agent", "supervisor"):
            broadcast_on_commit(
                agent_group(before_agent),
                {"type": "chat.removed", "conversation": str(conversation.public_id)},
            )
    if conversation.status == S.ACTIVE:
        broadcast_on_commit(
            agent_group(conversation.agent_id),
            {"type": "chat.assigned", "conversation": routing.conversation_summary(conversation)},
        )
    freed_room = before == S.ACTIVE and before_agent != now_agent
    queue_changed = S.QUEUED in (before, conversation.status)
    if not tell_queue:
        return
    assigned = routing.assign_waiting() if (freed_room or conversation.status == S.QUEUED) else []
    if queue_changed and not assigned:
        queue_broadcast()  # (assign_waiting has told the queue when it assigned any)
