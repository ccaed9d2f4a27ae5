"""Chat text loses its bidirectional controls before it is stored and broadcast: an agent's
screen and the transcript show what was typed, in the order it was typed."""

from __future__ import annotations

import pytest

from livechat.models import Conversation
from livechat.services.messages import message_frame, message_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(user_factory) -> Conversation:
    return Conversation.objects.create(customer=user_factory(email="chat@example.test"))


def test_a_chat_message_is_stored_and_sent_without_an_override(conversation):
    # given: shows as "send it to TRC20 address T9yD…" with the end reversed
    typed = "send it to \u202eTRC20 address 4Xq9yD\u202c please"
    # when
    message, _created = message_post(conversation=conversation, sender="customer", body=typed)
    # then
    message.refresh_from_db()
    assert message.body == "send it to TRC20 address 4Xq9yD please"
    assert message_frame(message)["body"] == message.body


def test_a_lone_surrogate_in_a_chat_message_is_dropped_not_a_database_error(conversation):
    # when: what a JSON frame carrying "\ud800" decodes to
    message, _created = message_post(conversation=conversation, sender="customer", body="hi\ud800")
    # then
    message.refresh_from_db()
    assert message.body == "hi"
