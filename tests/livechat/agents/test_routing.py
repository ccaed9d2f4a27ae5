"""Waiting chats go to agents by priority, then waiting time; language, skill, capacity."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections

from livechat.models import AgentPresence, ChatMessage, Conversation
from livechat.services import routing
from livechat.services.queue import conversation_enqueue, queue_positions


def status_of(chat: Conversation) -> tuple[str, int | None]:
    chat.refresh_from_db()
    return chat.status, chat.agent_id


@pytest.mark.django_db
def test_routing_takes_priority_first_then_the_longest_waiting(agent_factory, chat_factory):
    # given: three chats and one agent with room for two
    recent = chat_factory(waited=1)
    oldest = chat_factory(waited=30)
    urgent = chat_factory(waited=0, priority=10)
    mei = agent_factory(capacity=2)
    # when
    assigned = routing.assign_waiting()
    # then: the urgent one, then the oldest; the recent one waits
    assert [c.pk for c in assigned] == [urgent.pk, oldest.pk]
    assert status_of(recent) == ("queued", None)
    assert status_of(urgent) == ("active", mei.pk)
    joined = urgent.messages.get(sender=ChatMessage.Sender.SYSTEM)
    assert mei.chat_presence.staff_id in joined.body


@pytest.mark.django_db
def test_routing_matches_language_and_skill(agent_factory, chat_factory):
    zh_chat = chat_factory(language="zh-hans")
    kyc_chat = chat_factory(skill="kyc")
    general_chat = chat_factory()
    english = agent_factory(name="Sam", languages=["en"], skills=["general"])
    routing.assign_waiting()
    # nobody serves Chinese; a generalist does not take KYC
    assert status_of(zh_chat) == ("queued", None)
    assert status_of(kyc_chat) == ("queued", None)
    assert status_of(general_chat) == ("active", english.pk)
    # a Chinese-speaking KYC specialist comes online and takes both
    specialist = agent_factory(name="Li", languages=["zh-hans", "en"], skills=["kyc"])
    routing.assign_waiting()
    assert status_of(kyc_chat) == ("active", specialist.pk)
    assert status_of(zh_chat) == ("active", specialist.pk)  # specialists take general too


@pytest.mark.django_db
def test_generalists_are_preferred_for_general_chats(agent_factory, chat_factory):
    specialist = agent_factory(name="Li", skills=["security"])
    generalist = agent_factory(name="Sam", skills=["general"])
    chat = chat_factory()
    routing.assign_waiting()
    assert status_of(chat) == ("active", generalist.pk)
    assert specialist.pk != generalist.pk


@pytest.mark.django_db
def test_routing_respects_capacity_and_presence(agent_factory, chat_factory):
    busy = agent_factory(capacity=1)
    chat_factory(status=Conversation.Status.ACTIVE, agent=busy)
    agent_factory(name="Away", status=AgentPresence.Status.AWAY)
    agent_factory(name="Gone", status=AgentPresence.Status.OFFLINE)
    waiting = chat_factory()
    assert routing.assign_waiting() == []
    assert status_of(waiting) == ("queued", None)


@pytest.mark.django_db
def test_enqueue_queues_the_chat_and_assigns_it(agent_factory, chat_factory):
    mei = agent_factory()
    chat = chat_factory(status=Conversation.Status.BOT)
    chat.queued_at = None
    chat.save()
    conversation_enqueue(conversation=chat, skill="security", priority=5, reason="security")
    chat.refresh_from_db()
    # a generalist does not serve security: it waits, at the front, tagged
    assert (chat.status, chat.skill, chat.priority) == ("queued", "security", 5)
    assert chat.queued_at is not None and "security" in chat.tags
    presence = mei.chat_presence
    presence.skills = ["security"]
    presence.save()
    routing.assign_waiting()
    assert status_of(chat) == ("active", mei.pk)


@pytest.mark.django_db
def test_queue_positions_count_only_chats_the_same_agents_could_take(agent_factory, chat_factory):
    agent_factory(capacity=1, languages=["en"])
    agent_factory(name="Li", capacity=1, languages=["zh-hans"])
    first_en = chat_factory(waited=10)
    first_zh = chat_factory(language="zh-hans", waited=9)
    second_en = chat_factory(waited=5)
    # both agents busy, so nothing is assigned
    for presence in AgentPresence.objects.all():
        presence.capacity = 0
        presence.save()
    positions = {w.conversation.pk: (w.position, w.eta_seconds) for w in queue_positions()}
    assert positions[first_en.pk][0] == 1
    assert positions[first_zh.pk][0] == 1  # the English chats ahead are not its rivals
    assert positions[second_en.pk][0] == 2
    assert positions[second_en.pk][1] > positions[first_en.pk][1]


@pytest.mark.django_db
def test_agents_available_follows_presence_language_and_hours(agent_factory):
    from helpcenter.models import BusinessCalendar
    from tickets.models import Team

    assert not routing.agents_available("en", "general")
    agent_factory(status=AgentPresence.Status.AWAY, languages=["en"], skills=["general", "kyc"])
    assert routing.agents_available("en", "general")
    assert not routing.agents_available("zh-hans", "general")
    # the KYC team keeps office hours: a calendar that never opens means "leave a message"
    closed = BusinessCalendar.objects.create(slug="never", name="Never", always_open=False)
    Team.objects.update_or_create(
        slug="kyc-review", defaults={"name_en": "KYC", "name_zh_hans": "KYC", "calendar": closed}
    )
    assert not routing.agents_available("en", "kyc")
    assert routing.agents_available("en", "general")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_assign_runs_never_double_assign(agent_factory, chat_factory):
    # given: ten waiting chats and agents with room for six between them
    chats = [chat_factory(waited=20 - i) for i in range(10)]
    for name in ("A", "B", "C"):
        agent_factory(name=name, capacity=2)
    barrier = threading.Barrier(2)
    results: list[list[Conversation]] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(routing.assign_waiting())
        finally:
            close_old_connections()

    # when: two workers assign at the same moment
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: each chat assigned at most once, nobody over capacity, six assigned overall
    taken = [c.pk for batch in results for c in batch]
    assert len(taken) == len(set(taken))
    routing.assign_waiting()  # anything a skipped lock left behind
    loads = routing.active_loads(list(AgentPresence.objects.values_list("agent_id", flat=True)))
    assert sorted(loads.values()) == [2, 2, 2]
    assert Conversation.objects.filter(status="active").count() == 6
    assert sum(status_of(c)[0] == "queued" for c in chats) == 4


@pytest.mark.django_db
def test_one_quick_chat_does_not_swing_the_wait_estimate(agent_factory, chat_factory):
    from django.utils import timezone

    from livechat.services.queue import DEFAULT_HANDLING_SECONDS, average_handling_seconds

    # given: no history, then one chat that ended ten seconds after an agent took it
    assert average_handling_seconds() == DEFAULT_HANDLING_SECONDS
    mei = agent_factory(capacity=0)
    now = timezone.now()
    chat_factory(status="ended", agent=mei)
    Conversation.objects.filter(status="ended").update(
        assigned_at=now - timedelta(seconds=10), ended_at=now
    )
    # then: the estimate moves a little, not from five minutes to one
    assert 240 <= average_handling_seconds() < DEFAULT_HANDLING_SECONDS
    # and at one moment, a later place in the line never shows a shorter wait
    waiting = [chat_factory(waited=10 - n) for n in range(4)]
    etas = {w.conversation.pk: w.eta_seconds for w in queue_positions()}
    shown = [etas[chat.pk] for chat in waiting]
    assert shown == sorted(shown) and shown[0] >= 60


@pytest.mark.django_db(transaction=True)
def test_a_chat_the_customer_ends_frees_the_agents_room_for_the_next_without_any_socket(
    agent_factory, chat_factory
):
    from livechat.services.conversations import conversation_end

    # given: Mei, room for one chat, busy with one; another customer waiting
    mei = agent_factory(capacity=1)
    busy = chat_factory(status="active", agent=mei)
    waiting = chat_factory(waited=5)
    routing.assign_waiting()
    assert status_of(waiting) == ("queued", None)
    # when: the first customer ends their chat (no console socket is open to hear of it)
    conversation_end(conversation=busy, by="customer")
    # then: the waiting chat is Mei's at once
    assert status_of(waiting) == ("active", mei.pk)
