"""X direct messages: the CRC challenge, signed DM events, replies by the DM endpoint."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging

import pytest

from livechat.models import Conversation
from outside.models import ExternalContact, InboundEvent
from outside.selectors import external_contact_for
from tests.outside.conftest import X_CONSUMER_SECRET, fixture, x_signature

pytestmark = pytest.mark.django_db


def test_the_crc_challenge_is_answered_with_the_hmac_of_the_token(client):
    response = client.get("/outside/x/webhook", {"crc_token": "challenge-1765011000"})
    assert response.status_code == 200
    expected = base64.b64encode(
        hmac.new(X_CONSUMER_SECRET.encode(), b"challenge-1765011000", hashlib.sha256).digest()
    ).decode()
    assert response.json() == {"response_token": f"sha256={expected}"}


def test_a_crc_without_a_token_is_400(client):
    assert client.get("/outside/x/webhook").status_code == 400
    assert client.get("/outside/x/webhook", {"crc_token": "x" * 500}).status_code == 400


def test_a_signed_dm_becomes_a_chat_and_the_bot_answers_by_dm(x_dm, platforms, deliver):
    assert x_dm("how do I set up two-factor authentication").status_code == 200
    conversation = Conversation.objects.get()
    assert conversation.customer is None
    assert deliver() >= 2
    assert {item["to"] for item in platforms.sent} == {"2400000000000000002"}
    assert platforms.texts("x")[0].startswith("Hi, I'm Beacon's assistant")
    party = external_contact_for(conversation)
    assert (party.platform_label, party.handle) == ("X", "@ana_on_chain")


def test_a_bad_signature_is_refused_and_stores_nothing(client, caplog):
    body = json.dumps(fixture("x_dm_event.json")).encode()
    with caplog.at_level(logging.WARNING, logger="outside.views"):
        forged = client.post(
            "/outside/x/webhook",
            data=body,
            content_type="application/json",
            HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=x_signature(body, secret="someone-elses-secret"),
        )
        unsigned = client.post("/outside/x/webhook", data=body, content_type="application/json")
    assert forged.status_code == unsigned.status_code == 401
    assert "x webhook refused" in caplog.text
    assert not InboundEvent.objects.exists() and not Conversation.objects.exists()


def test_a_replayed_event_is_ignored(x_dm):
    x_dm("hello", event_id="1865000000000000999")
    x_dm("hello", event_id="1865000000000000999")
    assert Conversation.objects.get().messages.filter(sender="customer").count() == 1


def test_our_own_dms_echoed_back_are_ignored(x_dm):
    x_dm("a reply we sent", sender_id="1500000000000000001")
    assert not ExternalContact.objects.exists() and not Conversation.objects.exists()


def test_malformed_signed_bodies_are_400(client):
    for body in (
        b"{oops",
        b'{"direct_message_events": 5}',
        b'{"direct_message_events": [{"type": "message_create", "id": "1", "message_create": {"sender_id": "abc"}}]}',
    ):
        response = client.post(
            "/outside/x/webhook",
            data=body,
            content_type="application/json",
            HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=x_signature(body),
        )
        assert response.status_code == 400, body
    assert not Conversation.objects.exists()


def test_hand_off_and_the_agents_reply_go_back_by_dm(x_dm, platforms, deliver, agent):
    from livechat.services.agent_actions import agent_reply

    x_dm("I want to talk to a human agent")
    conversation = Conversation.objects.get()
    assert conversation.status == "active"
    agent_reply(user=agent, public_id=conversation.public_id, body="note", internal=True)
    agent_reply(user=agent, public_id=conversation.public_id, body="Hi Ana, checking now.")
    deliver()
    texts = platforms.texts("x")
    assert any("Hi Ana, checking now." in text for text in texts)
    assert "note" not in " ".join(texts)
