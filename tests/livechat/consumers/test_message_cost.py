"""What a customer's message costs the database, beyond the socket's session check: the
chat socket handles every message with these queries, so a new one is a regression."""

from __future__ import annotations

import pytest

from livechat.models import ChatMessage, Conversation
from livechat.services.messages import message_post_by_customer

# Committed for real: the count is that of a socket's message, without test savepoints.
pytestmark = pytest.mark.django_db(transaction=True)


def test_customer_message_is_saved_in_three_queries_and_a_commit(django_assert_num_queries):
    # given: a chat with an agent
    chat = Conversation.objects.create(status=Conversation.Status.ACTIVE)
    # when: a message comes in: lock (with the retry check), number, insert; and the
    # transaction's BEGIN and COMMIT
    with django_assert_num_queries(5):
        message, created = message_post_by_customer(
            conversation=chat, body="where is my deposit?", client_id="c-1"
        )
    # then: stored, numbered, and the socket's copy of the chat is up to date
    assert created and message.seq == 1
    assert (
        ChatMessage.objects.get(conversation=chat, client_id="c-1").body == "where is my deposit?"
    )
    assert chat.last_seq == 1 and chat.status == Conversation.Status.ACTIVE


def test_customer_message_retry_costs_two_queries_and_stores_nothing(django_assert_num_queries):
    # given: a message already saved
    chat = Conversation.objects.create(status=Conversation.Status.ACTIVE)
    first, _ = message_post_by_customer(conversation=chat, body="hello", client_id="c-1")
    # when: the client retries it (it missed the ack)
    with django_assert_num_queries(4):  # BEGIN, lock (finds the first try), fetch it, COMMIT
        again, created = message_post_by_customer(conversation=chat, body="hello", client_id="c-1")
    # then: the same message, nothing new
    assert not created and again.pk == first.pk
    assert ChatMessage.objects.filter(conversation=chat).count() == 1
