"""Agents' presence for chat: online while a console socket is open, away by choice.

Open sockets are counted per agent in the cache (Redis in production, so every ASGI
process shares the count): the agent goes offline when the last one closes. A process
that dies without closing its sockets never says so; each open socket therefore beats
(`presence_heartbeat`, every BEACON_CHAT_HEARTBEAT_SECONDS, which moves `last_seen`),
and the sweep (`presence_expire`, run by beat with `requeue_abandoned`) takes an agent
who has missed three beats offline from their last beat: their chats go back to the queue
when the grace period after it is over, as if their last socket had closed then.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.realtime import broadcast_on_commit
from livechat.groups import agent_group
from livechat.models import AgentPresence, Conversation

STAFF_ID_PREFIX = "BCN-"
DEFAULT_GRACE_SECONDS = 120
# How long a socket count lives without a connect or disconnect: longer than any console
# session, short enough that a crashed process's leftovers fade within a day.
_COUNT_TTL = 24 * 3600


# An agent whose sockets have not beaten for three beats is gone (the sweep runs every 30 s).
STALE_BEATS = 3


def heartbeat_seconds() -> int:
    """How often each console socket says "still here" (BEACON_CHAT_HEARTBEAT_SECONDS)."""
    return int(getattr(settings, "BEACON_CHAT_HEARTBEAT_SECONDS", 20))


def stale_seconds() -> int:
    return STALE_BEATS * heartbeat_seconds()


def grace_seconds() -> int:
    return int(getattr(settings, "BEACON_CHAT_GRACE_SECONDS", DEFAULT_GRACE_SECONDS))


def _new_staff_id() -> str:
    return f"{STAFF_ID_PREFIX}{secrets.randbelow(100_000):05d}"


def presence_for(agent) -> AgentPresence:
    """The agent's presence row, created on first use with a fresh random staff ID.

    A clash of staff IDs (1 in 100,000 per pair) is retried with another number.
    """
    existing = AgentPresence.objects.filter(agent=agent).first()
    if existing is not None:
        return existing
    for _attempt in range(20):
        try:
            with transaction.atomic():
                presence, _created = AgentPresence.objects.get_or_create(
                    agent=agent,
                    defaults={
                        "staff_id": _new_staff_id(),
                        "languages": [agent.language or "en"],
                        "skills": [Conversation.Skill.GENERAL],
                    },
                )
                return presence
        except IntegrityError:
            continue
    raise ApplicationError(_("No staff ID could be given out; try again."), code="staff_id")


def _count_key(agent_id: int) -> str:
    return f"livechat:agent-sockets:{agent_id}"


def _announce(presence: AgentPresence) -> None:
    broadcast_on_commit(
        agent_group(presence.agent_id),
        {"type": "presence.update", "status": presence.status, "staff_id": presence.staff_id},
    )


@transaction.atomic
def presence_connect(*, agent) -> AgentPresence:
    """A console socket opened: the agent is online (unless they chose away), and the
    waiting line gets a chance at them."""
    presence = presence_for(agent)
    key = _count_key(agent.id)
    cache.add(key, 0, _COUNT_TTL)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, _COUNT_TTL)
    presence = AgentPresence.objects.select_for_update().get(pk=presence.pk)
    if presence.status == AgentPresence.Status.OFFLINE:
        presence.status = AgentPresence.Status.ONLINE
    presence.disconnected_at = None
    presence.last_seen = timezone.now()
    presence.save(update_fields=["status", "disconnected_at", "last_seen"])
    _announce(presence)
    _assign_after_commit()
    return presence


def presence_heartbeat(*, agent) -> None:
    """An open console socket is alive: one UPDATE, no lock, no broadcast."""
    AgentPresence.objects.filter(agent=agent).update(last_seen=timezone.now())


def presence_expire(*, now=None) -> int:
    """Agents shown online or away whose sockets stopped beating (their server process
    died) go offline from their last beat; returns how many. Safe on several workers:
    each row is updated only while it is still stale."""
    now = now or timezone.now()
    stale = AgentPresence.objects.exclude(status=AgentPresence.Status.OFFLINE).filter(
        last_seen__lt=now - timedelta(seconds=stale_seconds())
    )
    expired = 0
    for presence in stale:
        with transaction.atomic():
            changed = (
                AgentPresence.objects.filter(pk=presence.pk, last_seen=presence.last_seen)
                .exclude(status=AgentPresence.Status.OFFLINE)
                .update(status=AgentPresence.Status.OFFLINE, disconnected_at=presence.last_seen)
            )
            if changed:
                # The dead process's sockets are still counted: start the count afresh.
                cache.delete(_count_key(presence.agent_id))
                presence.status = AgentPresence.Status.OFFLINE
                _announce(presence)
                expired += 1
    return expired


@transaction.atomic
def presence_disconnect(*, agent) -> AgentPresence:
    """A console socket closed; the last one makes the agent offline and starts the grace
    period after which their chats return to the queue."""
    presence = presence_for(agent)
    key = _count_key(agent.id)
    try:
        left = cache.decr(key)
    except ValueError:
        left = 0
    presence = AgentPresence.objects.select_for_update().get(pk=presence.pk)
    presence.last_seen = timezone.now()
    if left <= 0:
        cache.delete(key)
        presence.status = AgentPresence.Status.OFFLINE
        presence.disconnected_at = presence.last_seen
    presence.save(update_fields=["status", "disconnected_at", "last_seen"])
    _announce(presence)
    return presence


@transaction.atomic
def presence_set(*, agent, status: str) -> AgentPresence:
    """The agent's own choice: online (takes new chats) or away (keeps theirs, takes none)."""
    if status not in {AgentPresence.Status.ONLINE, AgentPresence.Status.AWAY}:
        raise ApplicationError(_("Choose online or away."), code="bad_status")
    presence = presence_for(agent)
    presence = AgentPresence.objects.select_for_update().get(pk=presence.pk)
    presence.status = status
    presence.disconnected_at = None
    presence.last_seen = timezone.now()
    presence.save(update_fields=["status", "disconnected_at", "last_seen"])
    _announce(presence)
    if status == AgentPresence.Status.ONLINE:
        _assign_after_commit()
    return presence


def _assign_after_commit() -> None:
    """Routing runs in its own transactions once this one has committed (so it sees the
    agent online); imported late, since routing imports this module."""

    def run() -> None:
        from livechat.services.routing import assign_waiting

        assign_waiting()

    transaction.on_commit(run, robust=True)


# Agents handled per sweep transaction; each has at most a few chats, so a batch is quick.
REQUEUE_BATCH = 100


def requeue_abandoned(*, now=None, batch: int = REQUEUE_BATCH) -> tuple[int, int]:
    """Chats of agents offline for longer than the grace period go back to the queue,
    keeping their place (queued_at). Returns (agents handled, chats requeued); fewer
    agents than `batch` means none are left.

    Safe on several workers at once: presence and chat rows are locked with SKIP LOCKED,
    so each is handled by one run; a second run finds nothing left to do.
    """
    from livechat.services.queue import queue_broadcast
    from livechat.services.routing import assign_waiting
    from livechat.services.transitions import Notice, conversation_move

    cutoff = (now or timezone.now()) - timedelta(seconds=grace_seconds())
    requeued = 0
    with transaction.atomic():
        gone = list(
            AgentPresence.objects.select_for_update(skip_locked=True)
            .filter(status=AgentPresence.Status.OFFLINE, disconnected_at__lte=cutoff)
            .order_by("disconnected_at")[:batch]
        )
        chats = Conversation.objects.select_for_update(skip_locked=True).filter(
            agent_id__in=[p.agent_id for p in gone], status=Conversation.Status.ACTIVE
        )
        for conversation in chats:
            with translation.override(conversation.language):
                body = _("Your agent was disconnected. You are back in the queue, at the front.")
            conversation_move(
                conversation,
                to=Conversation.Status.QUEUED,
                by="sweep",
                reason="agent_lost",
                notice=Notice(body, {"event": "requeued"}),
                tell_queue=False,  # once for all of them, below
            )
            requeued += 1
        for presence in gone:
            presence.disconnected_at = None
            presence.save(update_fields=["disconnected_at"])
    if requeued and not assign_waiting():
        with transaction.atomic():
            queue_broadcast()
    return len(gone), requeued
