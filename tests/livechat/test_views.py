"""/chat/start, and a chat's messages and transcript over plain HTTP (owner only)."""

from __future__ import annotations

import pytest
from django.test import Client

from livechat.models import Conversation
from livechat.services.messages import message_post

pytestmark = pytest.mark.django_db


def start(client: Client, **fields) -> dict:
    response = client.post("/chat/start", fields or {"language": "en"})
    assert response.status_code == 200, response.content
    return response.json()


def test_chat_start_gives_an_anonymous_visitor_a_session_and_a_greeted_chat():
    # given: a first-time visitor with no session
    client = Client()
    # when: the widget starts a chat
    body = start(client, language="zh-hans", email="visitor@example.test")
    # then: the chat and its socket address, owned by the new session
    conversation = Conversation.objects.get(public_id=body["conversation"])
    assert body["ws"] == f"/ws/chat/{body['conversation']}/"
    assert client.cookies["sessionid"].value
    assert conversation.customer is None and conversation.visitor_key
    assert (conversation.language, conversation.visitor_email) == (
        "zh-hans",
        "visitor@example.test",
    )
    assert [(m.seq, m.sender) for m in conversation.messages.all()] == [(1, "bot")]


def test_chat_start_takes_json_and_belongs_to_the_signed_in_customer(user_factory):
    mei = user_factory(email="mei@example.test")
    client = Client()
    client.force_login(mei)
    response = client.post("/chat/start", {"language": "en"}, content_type="application/json")
    conversation = Conversation.objects.get(public_id=response.json()["conversation"])
    assert conversation.customer == mei and conversation.language == "en"


def test_chat_start_refuses_a_bad_email_with_400_and_saves_nothing():
    response = Client().post("/chat/start", {"language": "en", "email": "not-an-address"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert not Conversation.objects.exists()


def test_chat_start_is_limited_to_ten_an_hour_per_address():
    client = Client()
    for _ in range(10):
        start(client)
    response = client.post("/chat/start", {"language": "en"})
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert Conversation.objects.count() == 10


def test_chat_start_answers_get_with_405():
    assert Client().get("/chat/start").status_code == 405


def test_chat_messages_and_transcript_are_the_owners_only(user_factory):
    # given: an anonymous visitor's chat with an internal note in it
    owner = Client()
    public_id = start(owner)["conversation"]
    conversation = Conversation.objects.get(public_id=public_id)
    message_post(conversation=conversation, sender="customer", body="Where is my deposit?")
    message_post(conversation=conversation, sender="agent", body="VIP customer", internal=True)
    message_post(conversation=conversation, sender="agent", body="Checking it now")
    # when: the owner reads the messages after the greeting
    body = owner.get(f"/chat/{public_id}/messages?after=1").json()
    # then: the public ones only, in order
    assert [(m["id"], m["body"]) for m in body["messages"]] == [
        (2, "Where is my deposit?"),
        (4, "Checking it now"),
    ]
    assert body["conversation"]["id"] == public_id
    # and: the transcript downloads as text, without the note
    transcript = owner.get(f"/chat/{public_id}/transcript")
    assert transcript["Content-Type"].startswith("text/plain")
    assert "attachment" in transcript["Content-Disposition"]
    text = transcript.content.decode()
    assert "Where is my deposit?" in text and "Checking it now" in text
    assert "VIP customer" not in text
    # and: anyone else gets 404, signed in or not
    stranger = Client()
    stranger.force_login(user_factory(email="sam@example.test"))
    for client in (Client(), stranger):
        assert client.get(f"/chat/{public_id}/messages").status_code == 404
        assert client.get(f"/chat/{public_id}/transcript").status_code == 404
