"""The official-channel verification page also checks an agent's staff ID: is this a real
Beacon agent, and are they the one serving my chat right now?"""

from __future__ import annotations

import pytest
from django.urls import reverse

from livechat.models import Conversation

pytestmark = pytest.mark.django_db


def check(client, value: str) -> str:
    response = client.get(reverse("helpcenter:verify"), {"value": value})
    assert response.status_code == 200
    return response.content.decode()


def test_a_real_agents_staff_id_is_confirmed_however_it_is_typed(client, agent_factory):
    agent = agent_factory(name="Omar")
    staff_id = agent.chat_presence.staff_id
    for typed in (staff_id, staff_id.lower().replace("-", " ")):
        page = check(client, typed)
        assert "A real Beacon agent" in page and f"Omar, staff ID {staff_id}" in page


def test_an_unknown_or_former_agents_staff_id_is_a_warning(client, agent_factory):
    former = agent_factory(name="Zed")
    former.is_active = False
    former.save()
    for staff_id in ("BCN-00000", former.chat_presence.staff_id):
        page = check(client, staff_id)
        assert "No Beacon agent has this staff ID" in page
        assert "Do not send money, codes or documents to it." in page


def test_the_page_says_so_when_the_agent_is_serving_your_chat(client, agent_factory, chat_factory):
    agent = agent_factory(name="Omar")
    chat = chat_factory(status=Conversation.Status.ACTIVE, agent=agent)
    staff_id = agent.chat_presence.staff_id
    # a stranger learns only that the agent is real
    assert "serving your chat" not in check(client, staff_id)
    # the customer of the chat is told it is their agent
    client.force_login(chat.customer)
    assert "This agent is serving your chat right now." in check(client, staff_id)


def test_other_input_is_still_checked_as_a_contact_channel(client, agent_factory):
    agent_factory(name="Omar")
    page = check(client, "+86 400 000 0000")
    assert "A real Beacon agent" not in page and "No Beacon agent" not in page
