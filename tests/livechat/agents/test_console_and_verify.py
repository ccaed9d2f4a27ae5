"""The chat console page (staff only) and the customer's agent check."""

from __future__ import annotations

import pytest
from django.test import Client

from livechat.models import Conversation
from livechat.services.messages import message_post

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_console_page_is_for_agents_only(agent_factory, customer):
    assert signed_in(customer).get("/console/chats/").status_code == 403
    assert Client().get("/console/chats/").status_code == 302  # to sign in
    mei = agent_factory()
    page = signed_in(mei).get("/console/chats/")
    assert page.status_code == 200
    html = page.content.decode()
    assert mei.chat_presence.staff_id in html
    assert "agent_chat.js" in html and "<script>" not in html and "style=" not in html


def test_console_context_shows_the_customer_to_the_chat_agent_only(agent_factory, chat_factory):
    mei, sam = agent_factory(name="Mei"), agent_factory(name="Sam")
    chat = chat_factory(status=Conversation.Status.ACTIVE, agent=mei)
    url = f"/console/chats/{chat.public_id}/context"
    page = signed_in(mei).get(url)
    assert page.status_code == 200
    assert str(chat.customer.uid) in page.content.decode()
    assert sam.chat_presence.staff_id in page.content.decode()  # a transfer target
    assert signed_in(sam).get(url).status_code == 404


def verify(client: Client, **params):
    return client.get("/chat/verify-agent", params)


def test_verify_agent_tells_a_real_agent_from_an_impostor(agent_factory, chat_factory):
    mei = agent_factory(name="Mei")
    chat = chat_factory(status=Conversation.Status.ACTIVE, agent=mei)
    staff_id = mei.chat_presence.staff_id
    owner = signed_in(chat.customer)
    # a real agent, serving this customer's chat right now
    answer = verify(owner, staff_id=staff_id.lower().replace("-", " "), conversation=chat.public_id)
    assert answer.status_code == 200
    assert answer.json() == {"staff_id": staff_id, "genuine": True, "name": "Mei", "serving": True}
    # a made-up number
    fake = "BCN-00000" if staff_id != "BCN-00000" else "BCN-00001"
    assert verify(owner, staff_id=fake, conversation=chat.public_id).json() == {
        "staff_id": fake,
        "genuine": False,
        "name": "",
        "serving": False,
    }
    # a real agent who is not on this chat
    sam = agent_factory(name="Sam")
    other = verify(owner, staff_id=sam.chat_presence.staff_id, conversation=chat.public_id)
    assert other.json()["genuine"] is True and other.json()["serving"] is False
    # after the chat ends they are no longer serving it
    Conversation.objects.filter(pk=chat.pk).update(status="ended")
    assert verify(owner, staff_id=staff_id, conversation=chat.public_id).json()["serving"] is False


def test_verify_agent_answers_the_conversation_part_only_to_its_owner(
    agent_factory, chat_factory, user_factory
):
    mei = agent_factory()
    chat = chat_factory(status=Conversation.Status.ACTIVE, agent=mei)
    stranger = signed_in(user_factory(email="stranger@example.test"))
    answer = verify(stranger, staff_id=mei.chat_presence.staff_id, conversation=chat.public_id)
    assert answer.json()["genuine"] is True and answer.json()["serving"] is None
    assert verify(Client(), staff_id=mei.chat_presence.staff_id).json()["serving"] is None
    assert verify(Client(), staff_id="").status_code == 400
    assert verify(Client(), staff_id="x" * 5000, conversation="junk").status_code == 200


def test_verify_agent_is_rate_limited(agent_factory, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "channel_verify": "3/m/ip"}
    client = Client()
    codes = [verify(client, staff_id="BCN-12345").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_agent_messages_carry_the_staff_id(agent_factory, chat_factory):
    mei = agent_factory()
    chat = chat_factory(status=Conversation.Status.ACTIVE, agent=mei)
    from livechat.services.messages import message_frame

    message, _ = message_post(conversation=chat, sender="agent", body="Hi", author=mei)
    assert message_frame(message)["staff_id"] == mei.chat_presence.staff_id
