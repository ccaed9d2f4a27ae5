"""One state machine for a chat: every path goes through livechat.services.transitions,
which checks the workflow, writes the audit trail, frees the agent's room and tells the
right groups."""

from __future__ import annotations

import ast
import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone

from accounts.models import Role
from core.exceptions import ApplicationError
from livechat.groups import agent_group, conversation_group, conversation_staff_group
from livechat.models import AgentPresence, ConversationEvent
from livechat.services import agent_actions, pickup, routing
from livechat.services.conversations import conversation_end, conversation_handoff
from livechat.services.offline import offline_message_leave
from livechat.services.presence import requeue_abandoned

pytestmark = pytest.mark.django_db(transaction=True)


def trail(chat) -> list[tuple]:
    return [
        (e.from_status, e.to_status, e.by, e.from_agent_id, e.to_agent_id)
        for e in ConversationEvent.objects.filter(conversation=chat)
    ]


def test_a_whole_chat_leaves_one_audit_row_per_change_naming_who_made_it(
    agent_factory, chat_factory
):
    # given: a chat with the bot, two agents who serve English
    mei = agent_factory(name="Mei", capacity=1)
    chat = chat_factory(status="bot")
    # when: the customer asks for a person (routing gives it to Mei), Mei hands it to
    # Alex, and the customer ends it
    conversation_handoff(conversation=chat, reason="customer")
    alex = agent_factory(name="Alex", capacity=1)
    agent_actions.agent_transfer(user=mei, public_id=chat.public_id, to_agent=alex)
    chat.refresh_from_db()
    conversation_end(conversation=chat, by="customer", author=chat.customer)
    # then: four rows, in order, each naming who moved it and between which agents
    assert trail(chat) == [
        ("bot", "queued", "customer", None, None),
        ("queued", "active", "routing", None, mei.pk),
        ("active", "active", "agent", mei.pk, alex.pk),
        ("active", "ended", "customer", alex.pk, alex.pk),
    ]
    events = list(ConversationEvent.objects.filter(conversation=chat))
    assert events[2].actor == mei and events[3].actor == chat.customer


def test_an_ended_chat_stays_ended_on_every_path(agent_factory, chat_factory):
    mei = agent_factory()
    chat = chat_factory(status="active", agent=mei)
    agent_actions.agent_end(user=mei, public_id=chat.public_id)
    # the customer's end is idempotent; the others are refused with a clear error
    assert conversation_end(conversation=chat, by="customer").status == "ended"
    for attempt in (
        lambda: agent_actions.agent_end(user=mei, public_id=chat.public_id),
        lambda: agent_actions.agent_transfer(user=mei, public_id=chat.public_id, skill="kyc"),
        lambda: offline_message_leave(conversation=chat, body="hello?"),
        lambda: conversation_handoff(conversation=chat),
        lambda: pickup.conversation_take(user=mei, public_id=chat.public_id),
    ):
        with pytest.raises(ApplicationError):
            attempt()
    chat.refresh_from_db()
    assert chat.status == "ended" and chat.ticket_id is None
    assert [row[:3] for row in trail(chat)] == [("active", "ended", "agent")]


def test_a_supervisor_ending_an_agents_chat_frees_that_agents_room_for_the_next(
    agent_factory, chat_factory
):
    # given: Mei full with one chat, another customer waiting, a supervisor
    mei = agent_factory(name="Mei", capacity=1)
    busy = chat_factory(status="active", agent=mei)
    waiting = chat_factory(waited=3)
    boss = agent_factory(name="Boss", role=Role.SUPERVISOR, status=AgentPresence.Status.OFFLINE)
    # when: the supervisor ends Mei's chat
    agent_actions.agent_end(user=boss, public_id=busy.public_id)
    # then: the audit names the supervisor, and the waiting chat is Mei's, with no socket
    assert [row[:3] for row in trail(busy)] == [("active", "ended", "supervisor")]
    assert ConversationEvent.objects.get(conversation=busy).actor == boss
    waiting.refresh_from_db()
    assert (waiting.status, waiting.agent_id) == ("active", mei.pk)
    assert trail(waiting) == [("queued", "active", "routing", None, mei.pk)]


def test_taking_assigning_and_the_lost_agent_sweep_are_audited(agent_factory, chat_factory):
    mei = agent_factory(name="Mei", status=AgentPresence.Status.AWAY)
    alex = agent_factory(name="Alex", status=AgentPresence.Status.AWAY)
    boss = agent_factory(name="Boss", role=Role.SUPERVISOR, status=AgentPresence.Status.AWAY)
    taken, given = chat_factory(), chat_factory()
    pickup.conversation_take(user=mei, public_id=taken.public_id)
    AgentPresence.objects.filter(agent=alex).update(status=AgentPresence.Status.ONLINE)
    pickup.conversation_assign_to(
        user=boss, public_id=given.public_id, staff_id=alex.chat_presence.staff_id
    )
    # Mei's server dies: she is offline past the grace period, her chat goes back
    AgentPresence.objects.filter(agent=mei).update(
        status=AgentPresence.Status.OFFLINE,
        disconnected_at=timezone.now() - timedelta(hours=1),
    )
    AgentPresence.objects.filter(agent=alex).update(status=AgentPresence.Status.AWAY)
    requeue_abandoned()
    assert trail(taken) == [
        ("queued", "active", "agent", None, mei.pk),
        ("active", "queued", "sweep", mei.pk, None),
    ]
    assert trail(given) == [("queued", "active", "supervisor", None, alex.pk)]
    assert ConversationEvent.objects.filter(conversation=given).get().actor == boss


def test_agents_are_told_on_their_own_groups_and_customers_never_see_staff_events(
    agent_factory, chat_factory
):
    layer = get_channel_layer()
    mei = agent_factory(name="Mei", capacity=1)
    alex = agent_factory(name="Alex", capacity=1)
    chat = chat_factory(status="active", agent=mei)
    names = {
        "customer": conversation_group(chat.public_id),
        "staff": conversation_staff_group(chat.public_id),
        "mei": agent_group(mei.pk),
        "alex": agent_group(alex.pk),
    }
    channels = {}
    for key, group in names.items():
        channels[key] = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(group, channels[key])

    agent_actions.agent_reply(user=mei, public_id=chat.public_id, body="note", internal=True)
    agent_actions.agent_transfer(user=mei, public_id=chat.public_id, to_agent=alex)

    async def take_all(key):
        # Everything was sent before the calls above returned (after commit, in order):
        # a short wait only tells the end of what is already in the layer.
        frames = []
        while True:
            try:
                frames.append(await asyncio.wait_for(layer.receive(channels[key]), 0.5))
            except TimeoutError:
                return frames

    got = {key: async_to_sync(take_all)(key) for key in names}
    types = {key: [f["type"] for f in frames] for key, frames in got.items()}
    # the note and the update reach the staff group; the customer gets only public events
    assert "chat.message" in types["staff"]
    assert all(not f.get("message", {}).get("internal") for f in got["customer"])
    assert "conversation.update" in types["customer"]
    # Mei is told the chat left her console; Alex that it is his
    assert types["mei"] == ["chat.removed"] and types["alex"] == ["chat.assigned"]
    assert got["alex"][0]["conversation"]["id"] == str(chat.public_id)


def test_the_status_is_set_in_one_module_only():
    """Nothing but the transition service assigns a conversation's status."""
    root = Path(settings.BASE_DIR) / "livechat"
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or path.name == "transitions.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                for name in names:
                    owner = getattr(getattr(name, "value", None), "id", "")
                    if getattr(name, "attr", "") == "status" and "presence" not in owner:
                        offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "update":
                for keyword in node.keywords:
                    text = ast.unparse(keyword.value)
                    if keyword.arg == "status" and "Conversation" in text:
                        offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_routing_alone_never_moves_an_ended_chat(agent_factory, chat_factory):
    agent_factory()
    chat = chat_factory()
    conversation_end(conversation=chat, by="customer")
    assert routing.assign_waiting() == []
    chat.refresh_from_db()
    assert chat.status == "ended"
