"""The waiting line for agents: joining it, and where each waiting chat stands.

Interface others rely on:
- `conversation_enqueue(*, conversation, skill=None, priority=None, reason="", by=…)`: hand
  the chat from the bot to the queue (through livechat.services.transitions), which then
  tries to assign it.
- `queue_positions()` and `queue_broadcast()`: position and estimated wait per waiting
  chat; the broadcast sends `queue.update` to each waiting conversation's group.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Avg, Count, F
from django.utils import timezone

from core.realtime import broadcast_many_on_commit
from livechat.groups import conversation_group
from livechat.models import AgentPresence, Conversation
from livechat.services import routing

# The estimate without history: five minutes a chat, a common figure for support chat.
DEFAULT_HANDLING_SECONDS = 300
# The default counts as this many chats in the mean: one chat ended in ten seconds (a
# test, a customer who left) must not turn "about 5 minutes" into "about 1 minute" for
# the next customer; a day of real chats outweighs it.
PRIOR_CHATS = 10
# Handling times count from chats ended within this window (recent staffing, recent topics).
HANDLING_WINDOW = timedelta(hours=24)


@transaction.atomic
def conversation_enqueue(
    *,
    conversation: Conversation,
    skill: str | None = None,
    priority: int | None = None,
    reason="",
    by: str = "customer",
    actor=None,
) -> Conversation:
    """Hand the chat from the bot to the queue, then try to assign it (the transition
    does both and tells everyone). A chat already queued or with an agent only takes the
    skill, priority and reason; an ended chat stays ended."""
    from livechat.services.transitions import conversation_move

    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if skill and skill in Conversation.Skill.values:
        locked.skill = skill
    if priority is not None:
        locked.priority = max(locked.priority, priority)
    if reason and reason not in locked.tags:
        locked.tags = [*locked.tags, reason][:20]
    changed = ("skill", "priority", "tags")
    if locked.status == Conversation.Status.BOT:
        conversation_move(
            locked,
            to=Conversation.Status.QUEUED,
            by=by,
            actor=actor,
            reason=reason,
            also=changed,
        )
        locked.refresh_from_db()
    else:
        locked.save(update_fields=list(changed))
    # The caller's copy, as stored (the bot goes on with it).
    conversation.refresh_from_db(
        fields=["status", "queued_at", "skill", "priority", "tags", "agent", "assigned_at"]
    )
    return locked


@dataclass(frozen=True)
class Waiting:
    conversation: Conversation
    position: int  # 1 = next
    eta_seconds: int


def average_handling_seconds(now=None) -> int:
    """Mean time from assignment to end of recently ended chats, with the default
    standing in for PRIOR_CHATS of them (so a handful of chats moves it only a little)."""
    since = (now or timezone.now()) - HANDLING_WINDOW
    recent = Conversation.objects.filter(
        status=Conversation.Status.ENDED, ended_at__gte=since, assigned_at__isnull=False
    ).aggregate(mean=Avg(F("ended_at") - F("assigned_at")), count=Count("id"))
    if not recent["count"]:
        return DEFAULT_HANDLING_SECONDS
    total = (
        recent["mean"].total_seconds() * recent["count"] + DEFAULT_HANDLING_SECONDS * PRIOR_CHATS
    )
    return max(int(total / (recent["count"] + PRIOR_CHATS)), 1)


def queue_positions() -> list[Waiting]:
    """Every waiting chat with its position among the chats the same agents could take.

    Chats of two kinds (language, skill) compete when some signed-in agent serves both;
    with nobody signed in, only chats of the same kind do. The estimate spreads the
    chats ahead over the free-or-freeing room of the agents who serve this kind.
    """
    waiting = list(
        Conversation.objects.filter(status=Conversation.Status.QUEUED)
        .select_related("customer")
        .order_by("-priority", "queued_at", "id")
    )
    present = list(AgentPresence.objects.exclude(status=AgentPresence.Status.OFFLINE))
    kinds = {(c.language, c.skill) for c in waiting}
    serving = {
        kind: {p.pk for p in present if routing.agent_serves(p, language=kind[0], skill=kind[1])}
        for kind in kinds
    }
    rivals = {
        kind: {other for other in kinds if other == kind or serving[kind] & serving[other]}
        for kind in kinds
    }
    room = {
        kind: sum(
            p.capacity
            for p in present
            if p.pk in serving[kind] and p.status == AgentPresence.Status.ONLINE
        )
        for kind in kinds
    }
    handling = average_handling_seconds()
    seen: dict[tuple[str, str], int] = dict.fromkeys(kinds, 0)
    result = []
    for conversation in waiting:
        kind = (conversation.language, conversation.skill)
        position = 1 + sum(seen[other] for other in rivals[kind])
        eta = math.ceil(position / max(room[kind], 1)) * handling
        result.append(Waiting(conversation, position, eta))
        seen[kind] += 1
    return result


def queue_broadcast() -> None:
    """After commit: `queue.update` to each waiting chat, `queue.snapshot` to the agents."""
    positions = queue_positions()
    broadcast_many_on_commit(
        [
            (
                conversation_group(w.conversation.public_id),
                {"type": "queue.update", "position": w.position, "eta_seconds": w.eta_seconds},
            )
            for w in positions
        ]
    )
    routing.notify_agents_queue(
        [
            {
                **routing.conversation_summary(w.conversation),
                "position": w.position,
                "eta_seconds": w.eta_seconds,
            }
            for w in positions
        ]
    )
