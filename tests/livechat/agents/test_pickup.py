"""Taking a waiting chat by hand, and a supervisor's assignment: who may take what
(language, skill, room, online), exactly one winner of a race, and everyone told."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from accounts.models import Role
from core.exceptions import ApplicationError, NotFound
from livechat.groups import agent_group, conversation_group
from livechat.models import AgentPresence, ChatMessage, Conversation
from livechat.services.pickup import Conflict, conversation_assign_to, conversation_take
from livechat.services.presence import requeue_abandoned

FRAME_WAIT = 5  # seconds a frame may take to arrive through Redis; never reached when it works


def status_of(chat: Conversation) -> tuple[str, int | None]:
    chat.refresh_from_db()
    return chat.status, chat.agent_id


@pytest.mark.django_db
def test_an_agent_takes_a_waiting_chat_in_their_language(agent_factory, chat_factory):
    # given: a Chinese chat waiting, and an agent who serves Chinese
    chat = chat_factory(language="zh-hans")
    mei = agent_factory(name="Mei", languages=["zh-hans"])
    # when
    taken = conversation_take(user=mei, public_id=chat.public_id)
    # then: hers, and the customer is told who joined, in Chinese
    assert taken.pk == chat.pk
    assert status_of(chat) == ("active", mei.pk)
    joined = chat.messages.get(sender=ChatMessage.Sender.SYSTEM)
    assert mei.chat_presence.staff_id in joined.body
    assert "已加入会话" in joined.body


@pytest.mark.django_db
def test_an_agent_cannot_take_a_chat_in_a_language_they_do_not_serve(agent_factory, chat_factory):
    chat = chat_factory(language="zh-hans")
    alex = agent_factory(name="Alex", languages=["en"])

    with pytest.raises(ApplicationError) as refused:
        conversation_take(user=alex, public_id=chat.public_id)

    assert refused.value.code == "language"
    assert status_of(chat) == ("queued", None)


@pytest.mark.django_db
def test_a_skilled_chat_needs_the_skill_but_a_general_one_does_not(agent_factory, chat_factory):
    kyc_chat = chat_factory(skill="kyc")
    general_chat = chat_factory()
    generalist = agent_factory(name="Sam", skills=["general"])
    specialist = agent_factory(name="Li", skills=["kyc"])

    with pytest.raises(ApplicationError) as refused:
        conversation_take(user=generalist, public_id=kyc_chat.public_id)
    assert refused.value.code == "skill"
    conversation_take(user=specialist, public_id=kyc_chat.public_id)
    conversation_take(user=specialist, public_id=general_chat.public_id)

    assert status_of(kyc_chat) == ("active", specialist.pk)
    assert status_of(general_chat) == ("active", specialist.pk)


@pytest.mark.django_db
def test_an_agent_at_capacity_cannot_take_another(agent_factory, chat_factory):
    mei = agent_factory(name="Mei", capacity=1)
    chat_factory(status=Conversation.Status.ACTIVE, agent=mei)
    waiting = chat_factory()

    with pytest.raises(Conflict) as refused:
        conversation_take(user=mei, public_id=waiting.public_id)

    assert (refused.value.code, refused.value.status_code) == ("full", 409)
    assert status_of(waiting) == ("queued", None)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [AgentPresence.Status.AWAY, AgentPresence.Status.OFFLINE])
def test_an_agent_routing_passes_over_may_still_take_a_chat_by_hand(
    agent_factory, chat_factory, status
):
    # given: Mei is away (routing gives her nothing) or on a page without the console
    mei = agent_factory(name="Mei", status=status)
    chat = chat_factory()
    # when
    conversation_take(user=mei, public_id=chat.public_id)
    # then
    assert status_of(chat) == ("active", mei.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [AgentPresence.Status.AWAY, AgentPresence.Status.OFFLINE])
def test_a_supervisor_gives_chats_only_to_agents_who_are_online(
    agent_factory, chat_factory, status
):
    boss = agent_factory(name="Sam", role=Role.SUPERVISOR)
    mei = agent_factory(name="Mei", status=status)
    chat = chat_factory()

    with pytest.raises(ApplicationError) as refused:
        conversation_assign_to(
            user=boss, public_id=chat.public_id, staff_id=mei.chat_presence.staff_id
        )

    assert refused.value.code == "agent_offline"
    assert status_of(chat) == ("queued", None)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Conversation.Status.BOT, Conversation.Status.ENDED])
def test_only_waiting_chats_can_be_taken(agent_factory, chat_factory, status):
    mei = agent_factory(name="Mei")
    chat = chat_factory(status=status)

    with pytest.raises(Conflict):
        conversation_take(user=mei, public_id=chat.public_id)

    assert status_of(chat) == (status, None)


@pytest.mark.django_db
def test_a_taken_chat_cannot_be_taken_again(agent_factory, chat_factory):
    mei, alex = agent_factory(name="Mei"), agent_factory(name="Alex")
    chat = chat_factory()
    conversation_take(user=mei, public_id=chat.public_id)

    with pytest.raises(Conflict) as refused:
        conversation_take(user=alex, public_id=chat.public_id)

    assert refused.value.code == "taken"
    assert status_of(chat) == ("active", mei.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("public_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_missing_chat_is_not_found(agent_factory, public_id):
    with pytest.raises(NotFound):
        conversation_take(user=agent_factory(), public_id=public_id)


@pytest.mark.django_db
def test_customers_and_reviewers_cannot_take_chats(user_factory, chat_factory):
    chat = chat_factory()
    reviewer = user_factory(email="reviewer@example.test")
    from accounts.services import user_role_grant

    user_role_grant(user=reviewer, role=Role.SECURITY_REVIEWER)
    for person in (user_factory(email="someone@example.test"), reviewer):
        with pytest.raises(NotFound):
            conversation_take(user=person, public_id=chat.public_id)
    assert status_of(chat) == ("queued", None)


@pytest.mark.django_db
def test_a_supervisor_assigns_a_waiting_chat_to_a_named_agent(agent_factory, chat_factory):
    chat = chat_factory(language="zh-hans")
    boss = agent_factory(name="Sam", role=Role.SUPERVISOR, status=AgentPresence.Status.OFFLINE)
    mei = agent_factory(name="Mei", languages=["zh-hans", "en"])

    conversation_assign_to(user=boss, public_id=chat.public_id, staff_id=mei.chat_presence.staff_id)

    assert status_of(chat) == ("active", mei.pk)


@pytest.mark.django_db
def test_a_supervisor_cannot_assign_past_the_agents_languages_or_to_nobody(
    agent_factory, chat_factory
):
    chat = chat_factory(language="zh-hans")
    boss = agent_factory(name="Sam", role=Role.SUPERVISOR)
    alex = agent_factory(name="Alex", languages=["en"])

    with pytest.raises(ApplicationError) as wrong_language:
        conversation_assign_to(
            user=boss, public_id=chat.public_id, staff_id=alex.chat_presence.staff_id
        )
    with pytest.raises(ApplicationError) as nobody:
        conversation_assign_to(user=boss, public_id=chat.public_id, staff_id="BCN-" + "9" * 40)

    assert (wrong_language.value.code, nobody.value.code) == ("language", "agent_unknown")
    assert status_of(chat) == ("queued", None)


@pytest.mark.django_db
def test_agents_cannot_assign_chats_to_others(agent_factory, chat_factory):
    chat = chat_factory()
    alex, mei = agent_factory(name="Alex"), agent_factory(name="Mei")

    with pytest.raises(NotFound):
        conversation_assign_to(
            user=alex, public_id=chat.public_id, staff_id=mei.chat_presence.staff_id
        )

    assert status_of(chat) == ("queued", None)


def _listen(*groups: str):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    for group in groups:
        async_to_sync(layer.group_add)(group, channel)
    return layer, channel


def _hear(layer, channel, wanted: set[str]) -> dict[str, dict]:
    """Events on `channel` by type, until every type in `wanted` has been heard."""

    async def receive() -> dict[str, dict]:
        heard: dict[str, dict] = {}
        while not wanted <= heard.keys():
            event = await asyncio.wait_for(layer.receive(channel), FRAME_WAIT)
            heard.setdefault(event["type"], event)
        return heard

    return async_to_sync(receive)()


@pytest.mark.django_db(transaction=True)
def test_taking_tells_the_agents_socket_and_the_customer(agent_factory, chat_factory):
    # given: the agent's socket group and the customer's chat group are listened to
    mei = agent_factory(name="Mei")
    chat = chat_factory()
    layer, agent_side = _listen(agent_group(mei.pk))
    _, customer_side = _listen(conversation_group(chat.public_id))
    # when
    conversation_take(user=mei, public_id=chat.public_id)
    # then: the console hears the chat is hers (as routing tells it), the customer who joined
    assigned = _hear(layer, agent_side, {"chat.assigned"})["chat.assigned"]
    assert assigned["conversation"]["id"] == str(chat.public_id)
    update = _hear(layer, customer_side, {"conversation.update"})["conversation.update"]
    assert update["status"] == "active"
    assert update["agent"]["staff_id"] == mei.chat_presence.staff_id


def _waiting_on_locks() -> int:
    """Sessions blocked on a row lock (the statistics snapshot is per transaction:
    cleared first, or a loop inside one would read the same figure forever)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_agents_taking_the_same_chat_exactly_one_wins(agent_factory, chat_factory):
    # given: a waiting chat whose row we hold, so both agents queue on it together
    chat = chat_factory()
    agents = [agent_factory(name="Mei"), agent_factory(name="Alex")]
    outcomes: dict[int, str] = {}

    def take(agent) -> None:
        try:
            conversation_take(user=agent, public_id=chat.public_id)
            outcomes[agent.pk] = "won"
        except Conflict as exc:
            outcomes[agent.pk] = exc.code
        finally:
            close_old_connections()

    threads = [threading.Thread(target=take, args=(a,)) for a in agents]
    with transaction.atomic():
        Conversation.objects.select_for_update().get(pk=chat.pk)
        for thread in threads:
            thread.start()
        while _waiting_on_locks() < 2:  # both are blocked on the chat's row
            threading.Event().wait(0.01)
    # when: the row is let go
    for thread in threads:
        thread.join()
    # then: one agent has it, the other was told it is taken
    assert sorted(outcomes.values()) == ["taken", "won"]
    winner = next(pk for pk, outcome in outcomes.items() if outcome == "won")
    assert status_of(chat) == ("active", winner)
    assert chat.messages.filter(data__event="agent_joined").count() == 1


@pytest.mark.django_db
def test_a_supervisor_may_load_a_busy_agent_past_capacity_but_routing_never_does(
    agent_factory, chat_factory
):
    # given: Mei, the one Chinese speaker, is full; a Chinese chat waits
    boss = agent_factory(name="Sam", role=Role.SUPERVISOR)
    mei = agent_factory(name="Mei", languages=["zh-hans"], capacity=1)
    chat_factory(status=Conversation.Status.ACTIVE, agent=mei)
    chat = chat_factory(language="zh-hans")
    # when: she cannot take it herself, but the supervisor gives it to her
    with pytest.raises(Conflict):
        conversation_take(user=mei, public_id=chat.public_id)
    conversation_assign_to(user=boss, public_id=chat.public_id, staff_id=mei.chat_presence.staff_id)
    # then
    assert status_of(chat) == ("active", mei.pk)


@pytest.mark.django_db
def test_a_chat_taken_by_an_agent_who_never_opens_the_console_returns_to_the_queue(
    agent_factory, chat_factory, settings
):
    # given: Mei, offline (no console socket), takes a chat from the waiting page
    settings.BEACON_CHAT_GRACE_SECONDS = 60
    mei = agent_factory(name="Mei", status=AgentPresence.Status.OFFLINE)
    chat = chat_factory()
    conversation_take(user=mei, public_id=chat.public_id)
    # when: the grace period passes and she has not connected
    requeue_abandoned(now=timezone.now() + dt.timedelta(seconds=61))
    # then: the chat waits again, keeping its place
    assert status_of(chat) == ("queued", None)
