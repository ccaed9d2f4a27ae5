"""Canned replies in a chat: one renderer and one set of placeholders with tickets; what a
chat has no value for is named for the agent, and never reaches the customer raw."""

from __future__ import annotations

import pytest

from core.exceptions import ApplicationError
from livechat.models import ChatMessage, Conversation
from livechat.services import agent_actions
from tickets.macros import macro_fill, unfilled_placeholders
from tickets.models import Macro

pytestmark = pytest.mark.django_db

BODY = "Hello {customer_name} (UID {uid}), about request {ticket_number}: {agent_name} here. {x}"


def test_fill_names_what_has_no_value_and_leaves_unknown_braces_alone():
    filled = macro_fill(BODY, {"customer_name": "Mei", "agent_name": "Omar", "uid": ""})
    assert filled.text == ("Hello Mei (UID {uid}), about request {ticket_number}: Omar here. {x}")
    assert filled.missing == ["uid", "ticket_number"]
    assert unfilled_placeholders(filled.text) == ["uid", "ticket_number"]
    assert unfilled_placeholders("a {x} and {customer.name}") == []


@pytest.fixture
def macro():
    return Macro.objects.create(title="Greeting", language="en", body=BODY)


def test_the_console_fills_a_signed_in_customers_chat(client, agent_factory, chat_factory, macro):
    mei = agent_factory(name="Omar")
    chat = chat_factory(status=Conversation.Status.ACTIVE, agent=mei)
    chat.customer.first_name = "Mei"
    chat.customer.save()
    client.force_login(mei)
    answer = client.get(f"/console/chats/{chat.public_id}/macros/{macro.id}")
    assert answer.status_code == 200
    uid = chat.customer.uid
    assert answer.json() == {
        "body": f"Hello Mei (UID {uid}), about request {{ticket_number}}: Omar here. {{x}}",
        "missing": ["ticket_number"],
    }


def test_an_anonymous_visitors_chat_lacks_name_and_uid(client, agent_factory, chat_factory, macro):
    mei = agent_factory(name="Omar")
    chat = chat_factory(status=Conversation.Status.ACTIVE, agent=mei, anonymous=True)
    client.force_login(mei)
    answer = client.get(f"/console/chats/{chat.public_id}/macros/{macro.id}").json()
    assert answer["missing"] == ["customer_name", "uid", "ticket_number"]


def test_another_agents_chat_and_unknown_macros_are_not_found(
    client, agent_factory, chat_factory, macro
):
    mei, lin = agent_factory(name="Omar"), agent_factory(name="Lin")
    chat = chat_factory(status=Conversation.Status.ACTIVE, agent=mei)
    client.force_login(lin)
    assert client.get(f"/console/chats/{chat.public_id}/macros/{macro.id}").status_code == 404
    client.force_login(mei)
    assert client.get(f"/console/chats/{chat.public_id}/macros/999999").status_code == 404
    macro.is_active = False
    macro.save()
    assert client.get(f"/console/chats/{chat.public_id}/macros/{macro.id}").status_code == 404


def test_a_reply_with_a_raw_placeholder_never_reaches_the_customer(agent_factory, chat_factory):
    mei = agent_factory(name="Omar")
    chat = chat_factory(status=Conversation.Status.ACTIVE, agent=mei)
    before = chat.messages.count()
    with pytest.raises(ApplicationError) as refused:
        agent_actions.agent_reply(
            user=mei, public_id=chat.public_id, body="Your request {ticket_number} is open"
        )
    assert refused.value.code == "unfilled_placeholder"
    assert "{ticket_number}" in refused.value.message
    assert chat.messages.count() == before
    # an internal note may quote one (agents discussing a macro)
    note, _ = agent_actions.agent_reply(
        user=mei, public_id=chat.public_id, body="macro uses {ticket_number}", internal=True
    )
    assert note.visibility == ChatMessage.Visibility.INTERNAL
