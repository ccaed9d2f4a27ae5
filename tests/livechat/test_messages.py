"""A chat message is saved, numbered and masked before it is broadcast; retries are one message."""

from __future__ import annotations

import pytest

from core.exceptions import ApplicationError
from livechat.models import ChatMessage, Conversation
from livechat.services.messages import message_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(user_factory) -> Conversation:
    return Conversation.objects.create(customer=user_factory(email="chat@example.test"))


def test_messages_are_numbered_in_order(conversation):
    first, _ = message_post(conversation=conversation, sender="customer", body="hello")
    second, _ = message_post(conversation=conversation, sender="bot", body="hi, how can I help?")
    assert (first.seq, second.seq) == (1, 2)
    conversation.refresh_from_db()
    assert conversation.last_seq == 2


def test_a_retry_with_the_same_client_id_is_the_same_message(conversation):
    first, created = message_post(
        conversation=conversation, sender="customer", body="my deposit", client_id="c-1"
    )
    again, created_again = message_post(
        conversation=conversation, sender="customer", body="my deposit", client_id="c-1"
    )
    assert created and not created_again and again.pk == first.pk
    assert conversation.messages.count() == 1


@pytest.mark.parametrize(
    ("body", "client_id"), [("", ""), ("   ", ""), ("x" * 4001, ""), ("ok", "c" * 65)]
)
def test_bad_messages_are_refused_and_nothing_is_saved(conversation, body, client_id):
    with pytest.raises(ApplicationError):
        message_post(conversation=conversation, sender="customer", body=body, client_id=client_id)
    assert not ChatMessage.objects.exists()


def test_the_broadcast_waits_for_the_commit(conversation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        message_post(conversation=conversation, sender="customer", body="hello")
        assert ChatMessage.objects.count() == 1
    assert len(callbacks) == 1


def test_an_internal_note_never_travels_on_the_customers_group(
    conversation, django_capture_on_commit_callbacks
):
    # given: a listener on the customer's group and one on the agents'
    import asyncio

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from livechat.groups import conversation_group, conversation_staff_group

    layer = get_channel_layer()

    async def listen(group: str) -> str:
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        return channel

    customer_side = async_to_sync(listen)(conversation_group(conversation.public_id))
    staff_side = async_to_sync(listen)(conversation_staff_group(conversation.public_id))
    # when: an agent writes an internal note, then a public reply
    with django_capture_on_commit_callbacks(execute=True):
        message_post(conversation=conversation, sender="agent", body="VIP, careful", internal=True)
        message_post(conversation=conversation, sender="agent", body="Hello!")

    async def bodies(channel: str) -> list[str]:
        heard = []
        while True:
            try:
                event = await asyncio.wait_for(layer.receive(channel), 1)
            except TimeoutError:
                return heard
            heard.append(event["message"]["body"])

    # then: the agents hear both; the customer's group carries only the reply
    assert async_to_sync(bodies)(staff_side) == ["VIP, careful", "Hello!"]
    assert async_to_sync(bodies)(customer_side) == ["Hello!"]
