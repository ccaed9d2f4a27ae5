"""Who may take which chat, and handing waiting chats to agents with room.

Matching: an agent serves a chat when the chat's language is among theirs and
- a general chat: every agent takes it, specialists (security, KYC, trading) included,
  so customers do not wait while a specialist sits idle; generalists are preferred, which
  keeps the specialists' room for the chats only they can take;
- any other skill: only agents with that skill.

Assignment takes the queue in order (priority, then the longest waiting) and locks
rows with SKIP LOCKED: the chat, then the agent's presence. Two workers never take the
same chat, and never fill the same agent past capacity (the load is counted again under
the agent's lock).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.realtime import broadcast_on_commit
from helpcenter import hours
from helpcenter.selectors import calendar_schedule
from livechat.groups import agents_group
from livechat.models import AgentPresence, Conversation

# Queued chats looked at per assignment run, in queue order. 200 covers any queue
# 50 agents can drain in one go; chats beyond it are taken on the next run.
ASSIGN_BATCH = 200
GENERAL = Conversation.Skill.GENERAL

# Which team's business hours a chat follows (teams and calendars: tickets/demo.py).
SKILL_TEAMS = {"security": "security", "kyc": "kyc-review"}
LANGUAGE_TEAMS = {"zh-hans": "support-zh", "en": "support-en"}


def agent_serves(presence: AgentPresence, *, language: str, skill: str) -> bool:
    if language not in (presence.languages or []):
        return False
    return skill == GENERAL or skill in (presence.skills or [])


def active_loads(agent_ids: list[int]) -> Counter[int]:
    rows = (
        Conversation.objects.filter(agent_id__in=agent_ids, status=Conversation.Status.ACTIVE)
        .values("agent_id")
        .annotate(n=Count("id"))
    )
    return Counter({row["agent_id"]: row["n"] for row in rows})


@dataclass
class _Agent:
    presence: AgentPresence
    load: int

    @property
    def free(self) -> int:
        return self.presence.capacity - self.load


def _online_agents() -> list[_Agent]:
    presences = list(
        AgentPresence.objects.filter(status=AgentPresence.Status.ONLINE, agent__is_active=True)
        .select_related("agent")
        .order_by("agent_id")
    )
    loads = active_loads([p.agent_id for p in presences])
    return [_Agent(p, loads[p.agent_id]) for p in presences]


def _preference(agent: _Agent, skill: str) -> tuple:
    """Generalists first for general chats; then the least loaded; then by id (stable)."""
    specialist_for_general = skill == GENERAL and GENERAL not in (agent.presence.skills or [])
    return (specialist_for_general, agent.load / max(agent.presence.capacity, 1), agent.load)


def _lock_agent(candidates: list[_Agent]) -> _Agent | None:
    """The first candidate whose row this worker can lock and who still has room."""
    for agent in candidates:
        locked = (
            AgentPresence.objects.select_for_update(skip_locked=True)
            .filter(pk=agent.presence.pk, status=AgentPresence.Status.ONLINE)
            .first()
        )
        if locked is None:
            continue
        agent.presence = locked
        agent.load = active_loads([locked.agent_id])[locked.agent_id]
        if agent.free > 0:
            return agent
    return None


def assign_waiting() -> list[Conversation]:
    """Give waiting chats to online agents with room; returns the chats assigned.

    Safe to call from anywhere, any number of times at once: when a chat is queued, an
    agent comes online, an agent ends or hands on a chat.
    """
    with transaction.atomic():
        agents = [a for a in _online_agents() if a.free > 0]
        if not agents:
            return []
        languages = {lang for a in agents for lang in a.presence.languages or []}
        waiting = (
            Conversation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer")
            .filter(status=Conversation.Status.QUEUED, language__in=languages)
            .order_by("-priority", "queued_at", "id")[:ASSIGN_BATCH]
        )
        assigned = []
        for conversation in waiting:
            candidates = sorted(
                (
                    a
                    for a in agents
                    if a.free > 0
                    and agent_serves(
                        a.presence, language=conversation.language, skill=conversation.skill
                    )
                ),
                key=lambda a: _preference(a, conversation.skill),
            )
            agent = _lock_agent(candidates)
            if agent is None:
                continue
            conversation_assign(conversation=conversation, presence=agent.presence)
            agent.load += 1
            assigned.append(conversation)
        if assigned:
            from livechat.services.queue import queue_broadcast

            queue_broadcast()
        return assigned


def conversation_assign(
    *,
    conversation: Conversation,
    presence: AgentPresence,
    by: str = "routing",
    actor=None,
    tell_queue: bool = False,
) -> None:
    """Make the chat the agent's, with the "has joined" line, and tell everyone.

    Must be called inside the transaction that locked the conversation row.
    `tell_queue`: whether this move alone tells the queue (routing tells it once a run).
    """
    from livechat.services.transitions import Notice, conversation_move

    agent = presence.agent
    name = agent.first_name or _("Support")
    with translation.override(conversation.language):
        body = _("%(name)s (staff ID %(staff_id)s) has joined the chat.") % {
            "name": name,
            "staff_id": presence.staff_id,
        }
    conversation_move(
        conversation,
        to=Conversation.Status.ACTIVE,
        by=by,
        actor=actor,
        agent=agent,
        notice=Notice(
            body, {"event": "agent_joined", "staff_id": presence.staff_id, "agent": name}
        ),
        tell_queue=tell_queue,
    )


def customer_label(conversation: Conversation) -> str:
    """Who the chat is with, for agents: the customer's name or email, else the email an
    anonymous visitor gave, else nothing (the console says "Visitor")."""
    customer = conversation.customer
    if customer is not None:
        return customer.get_full_name() or customer.email
    return conversation.visitor_email


def conversation_summary(conversation: Conversation) -> dict:
    """A chat as the console lists it (frames `chat.assigned`, `queue.snapshot`); sent to
    agents only."""
    return {
        "id": str(conversation.public_id),
        "customer_name": customer_label(conversation),
        "status": conversation.status,
        "language": conversation.language,
        "skill": conversation.skill,
        "priority": conversation.priority,
        "tags": conversation.tags,
        "customer_id": conversation.customer_id,
        "last_id": conversation.last_seq,
        "queued_at": conversation.queued_at.isoformat() if conversation.queued_at else None,
    }


def notify_agents_queue(waiting: list[dict]) -> None:
    broadcast_on_commit(agents_group(), {"type": "queue.snapshot", "waiting": waiting})


def _team_slug(*, language: str, skill: str) -> str:
    return SKILL_TEAMS.get(skill) or LANGUAGE_TEAMS.get(language, "support-en")


def within_hours(*, language: str, skill: str, now=None) -> bool:
    """Whether the team that answers such chats is open (its calendar; none: always)."""
    from tickets.models import Team  # the team's calendar; tickets has no selector for it

    team = (
        Team.objects.filter(slug=_team_slug(language=language, skill=skill))
        .select_related("calendar")
        .prefetch_related("calendar__hours", "calendar__holidays")
        .first()
    )
    if team is None or team.calendar is None:
        return True
    return hours.open_state(calendar_schedule(team.calendar), now or timezone.now()).is_open


def agents_available(language: str, skill: str = GENERAL) -> bool:
    """Whether a human can take such a chat now: someone signed in to the console (online
    or away) serves it, and its team is within business hours. False: offer to leave a
    message (a ticket) instead of queueing."""
    present = AgentPresence.objects.exclude(status=AgentPresence.Status.OFFLINE).filter(
        agent__is_active=True
    )
    if not any(agent_serves(p, language=language, skill=skill) for p in present):
        return False
    return within_hours(language=language, skill=skill)
