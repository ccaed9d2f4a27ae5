"""Discord: the interactions endpoint, verified with a real Ed25519 key made here."""

from __future__ import annotations

import copy
import logging
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from livechat.models import Conversation
from outside.models import InboundEvent
from outside.selectors import external_contact_for
from tests.outside.conftest import fixture

pytestmark = pytest.mark.django_db


def support(text: str, interaction_id: str = "1310000000000000002") -> dict:
    payload = copy.deepcopy(fixture("discord_support.json"))
    payload["id"] = interaction_id
    payload["data"]["options"][0]["value"] = text
    return payload


def test_a_ping_gets_a_pong(discord):
    response = discord(fixture("discord_ping.json"))
    assert response.status_code == 200 and response.json() == {"type": 1}


def test_a_bad_signature_is_refused_logged_and_stores_nothing(discord, caplog):
    with caplog.at_level(logging.WARNING, logger="outside.views"):
        other_key = discord(fixture("discord_ping.json"), key=Ed25519PrivateKey.generate())
        forged_command = discord(support("hello"), key=Ed25519PrivateKey.generate())
    assert other_key.status_code == forged_command.status_code == 401
    assert "discord webhook refused" in caplog.text
    assert not InboundEvent.objects.exists() and not Conversation.objects.exists()


def test_an_old_signed_request_is_refused(discord):
    response = discord(fixture("discord_ping.json"), timestamp=int(time.time()) - 3600)
    assert response.status_code == 401


def test_unsigned_and_garbage_requests_are_refused(client):
    assert (
        client.post(
            "/outside/discord/webhook", data=b"{}", content_type="application/json"
        ).status_code
        == 401
    )
    response = client.post(
        "/outside/discord/webhook",
        data=b"{}",
        content_type="application/json",
        HTTP_X_SIGNATURE_ED25519="zz-not-hex",
        HTTP_X_SIGNATURE_TIMESTAMP="1",
    )
    assert response.status_code == 401


def test_the_support_command_opens_a_chat_answered_by_dm(discord, platforms, deliver):
    response = discord(support("how long does a withdrawal take"))
    # then: an ephemeral note at once (within Discord's 3 seconds)
    assert response.status_code == 200
    assert response.json()["type"] == 4 and response.json()["data"]["flags"] == 64
    conversation = Conversation.objects.get()
    assert conversation.messages.get(sender="customer").body == "how long does a withdrawal take"
    # and: the bot's answers arrive in the user's DM channel
    assert deliver() >= 2
    assert {item["to"] for item in platforms.sent} == {"91100000000000000003"}
    assert platforms.texts("discord")[0].startswith("Hi, I'm Beacon's assistant")
    assert external_contact_for(conversation).handle == "@kenji.dev"


def test_a_replayed_interaction_is_ignored(discord):
    discord(support("hello", interaction_id="1310000000000000777"))
    again = discord(support("hello", interaction_id="1310000000000000777"))
    assert again.status_code == 200
    assert Conversation.objects.get().messages.filter(sender="customer").count() == 1


def test_the_link_command_links(discord, customer, platforms, deliver):
    from outside.services import link_code_create

    code, _row = link_code_create(user=customer)
    payload = copy.deepcopy(fixture("discord_support.json"))
    payload["id"] = "1310000000000000555"
    payload["data"] = {
        "id": "1",
        "name": "link",
        "type": 1,
        "options": [{"name": "code", "type": 3, "value": code}],
    }
    assert discord(payload).status_code == 200
    deliver()
    assert any("is now linked" in text for text in platforms.texts("discord"))


def test_an_unknown_command_or_type_is_400(discord):
    payload = support("hello")
    payload["data"]["name"] = "ban"
    assert discord(payload).status_code == 400
    assert discord({"id": "1", "type": 99}).status_code == 400
    assert not Conversation.objects.exists()


def test_hand_off_and_the_agents_reply_go_back_by_dm(discord, platforms, deliver, agent):
    from livechat.services.agent_actions import agent_reply

    discord(support("I want to talk to a human agent"))
    conversation = Conversation.objects.get()
    assert conversation.status == "active"
    agent_reply(user=agent, public_id=conversation.public_id, body="note", internal=True)
    agent_reply(user=agent, public_id=conversation.public_id, body="Hi Kenji, checking now.")
    deliver()
    texts = platforms.texts("discord")
    assert any("Hi Kenji, checking now." in text for text in texts)
    assert "note" not in " ".join(texts)
