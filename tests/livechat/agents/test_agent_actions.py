"""Reply, note, transfer, end, convert; only the chat's agent (or a supervisor) may act."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from core.exceptions import ApplicationError, NotFound
from livechat.models import AgentPresence, Conversation
from livechat.services import agent_actions
from livechat.services.messages import message_post
from livechat.services.presence import presence_disconnect, requeue_abandoned
from livechat.tasks import requeue_abandoned as requeue_task
from tickets.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def mei(agent_factory):
    return agent_factory(name="Mei")


@pytest.fixture
def chat(chat_factory, mei):
    chat = chat_factory(status=Conversation.Status.ACTIVE, agent=mei)
    message_post(conversation=chat, sender="customer", body="My withdrawal is stuck")
    return chat


def test_agent_reply_and_internal_note_carry_the_staff_id(chat, mei):
    reply, _ = agent_actions.agent_reply(user=mei, public_id=chat.public_id, body="On it")
    note, _ = agent_actions.agent_reply(
        user=mei, public_id=chat.public_id, body="VIP", internal=True
    )
    assert (reply.sender, reply.author, reply.visibility) == ("agent", mei, "public")
    assert note.visibility == "internal"
    assert mei.chat_presence.staff_id.startswith("BCN-")


def test_another_agent_cannot_act_on_a_chat_that_is_not_theirs(chat, agent_factory):
    sam = agent_factory(name="Sam")
    for action in (
        lambda: agent_actions.agent_reply(user=sam, public_id=chat.public_id, body="hi"),
        lambda: agent_actions.agent_end(user=sam, public_id=chat.public_id),
        lambda: agent_actions.agent_transfer(user=sam, public_id=chat.public_id, skill="kyc"),
        lambda: agent_actions.agent_convert(user=sam, public_id=chat.public_id),
    ):
        with pytest.raises(NotFound):
            action()
    assert not chat.messages.filter(sender="agent").exists()
    chat.refresh_from_db()
    assert chat.status == "active" and chat.ticket_id is None


def test_a_customer_cannot_act_as_an_agent(chat, customer):
    with pytest.raises(NotFound):
        agent_actions.agent_reply(user=customer, public_id=chat.public_id, body="hi")


def test_a_supervisor_may_act_on_any_chat(chat, agent_factory):
    boss = agent_factory(name="Boss", role=Role.SUPERVISOR)
    message, _ = agent_actions.agent_reply(user=boss, public_id=chat.public_id, body="Hello")
    assert message.author == boss


def test_transfer_to_another_agent(chat, mei, agent_factory):
    sam = agent_factory(name="Sam")
    agent_actions.agent_transfer(user=mei, public_id=chat.public_id, to_agent=sam)
    chat.refresh_from_db()
    assert (chat.status, chat.agent_id) == ("active", sam.pk)
    assert sam.chat_presence.staff_id in chat.messages.last().body


def test_transfer_to_an_agent_without_room_is_refused(chat, mei, agent_factory):
    full = agent_factory(name="Full", capacity=0)
    with pytest.raises(ApplicationError):
        agent_actions.agent_transfer(user=mei, public_id=chat.public_id, to_agent=full)
    chat.refresh_from_db()
    assert chat.agent_id == mei.pk


def test_transfer_to_a_group_goes_back_to_the_queue_with_that_skill(chat, mei, agent_factory):
    queued_at = chat.queued_at
    agent_actions.agent_transfer(user=mei, public_id=chat.public_id, skill="security")
    chat.refresh_from_db()
    assert (chat.status, chat.agent_id, chat.skill) == ("queued", None, "security")
    assert chat.queued_at == queued_at  # keeps its place
    specialist = agent_factory(name="Sec", skills=["security"])
    from livechat.services.routing import assign_waiting

    assign_waiting()
    chat.refresh_from_db()
    assert chat.agent_id == specialist.pk


def test_end_frees_room_for_the_next_chat(chat, mei, chat_factory):
    presence = mei.chat_presence
    presence.capacity = 1
    presence.save()
    waiting = chat_factory()
    agent_actions.agent_end(user=mei, public_id=chat.public_id)
    chat.refresh_from_db()
    waiting.refresh_from_db()
    assert chat.status == "ended" and chat.ended_at is not None
    assert (waiting.status, waiting.agent_id) == ("active", mei.pk)
    with pytest.raises(ApplicationError):
        agent_actions.agent_reply(user=mei, public_id=chat.public_id, body="too late")


def test_convert_to_ticket_has_the_transcript_and_links_both_ways(chat, mei, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    agent_actions.agent_reply(user=mei, public_id=chat.public_id, body="Let me open a ticket")
    agent_actions.agent_reply(user=mei, public_id=chat.public_id, body="secret", internal=True)
    ticket = agent_actions.agent_convert(user=mei, public_id=chat.public_id)
    chat.refresh_from_db()
    assert chat.ticket == ticket
    assert (ticket.requester, ticket.type.slug, ticket.channel) == (chat.customer, "other", "chat")
    assert ticket.assignee == mei  # the agent who knows the story keeps it
    first = ticket.messages.order_by("id").first()
    assert "My withdrawal is stuck" in first.body and "Let me open a ticket" in first.body
    assert "secret" not in first.body  # internal notes stay internal
    assert mei.chat_presence.staff_id in first.body
    note = ticket.messages.get(visibility=TicketMessage.Visibility.INTERNAL)
    assert str(chat.public_id) in note.body and "secret" in note.body
    # the whole chat is attached as a text file, without the internal note
    (transcript,) = first.attachments.all()
    assert transcript.original_name == f"chat-{chat.public_id}.txt"
    text = transcript.file.open("rb").read().decode()
    assert "My withdrawal is stuck" in text and "Let me open a ticket" in text
    assert "secret" not in text
    # a second click is the same ticket
    assert agent_actions.agent_convert(user=mei, public_id=chat.public_id) == ticket
    assert Ticket.objects.count() == 1
    assert ticket.number in chat.messages.last().body


def test_anonymous_chats_cannot_become_tickets(chat_factory, mei):
    chat = chat_factory(status=Conversation.Status.ACTIVE, agent=mei, anonymous=True)
    with pytest.raises(ApplicationError):
        agent_actions.agent_convert(user=mei, public_id=chat.public_id)
    assert not Ticket.objects.exists()


def test_grace_period_requeues_the_chats_of_an_agent_who_stayed_away(chat, mei, settings):
    settings.BEACON_CHAT_GRACE_SECONDS = 120
    presence_disconnect(agent=mei)
    # within the grace period: nothing moves
    assert requeue_abandoned() == (0, 0)
    chat.refresh_from_db()
    assert chat.agent_id == mei.pk
    # past it
    AgentPresence.objects.filter(agent=mei).update(
        disconnected_at=timezone.now() - dt.timedelta(seconds=121)
    )
    assert requeue_task() == 1
    chat.refresh_from_db()
    assert (chat.status, chat.agent_id) == ("queued", None)
    assert chat.messages.last().data == {"event": "requeued"}
    assert requeue_task() == 0  # a second run finds nothing


def test_an_agent_who_comes_back_keeps_their_chats(chat, mei):
    from livechat.services.presence import presence_connect

    presence_disconnect(agent=mei)
    AgentPresence.objects.filter(agent=mei).update(
        disconnected_at=timezone.now() - dt.timedelta(seconds=30)
    )
    presence_connect(agent=mei)
    AgentPresence.objects.filter(agent=mei).update(status="online")
    later = timezone.now() + dt.timedelta(hours=1)
    assert requeue_abandoned(now=later) == (0, 0)
    chat.refresh_from_db()
    assert chat.agent_id == mei.pk
