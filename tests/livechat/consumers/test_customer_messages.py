"""The customer's socket: messages are acknowledged once, broadcast once, and resumed."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from livechat.models import ChatMessage, Conversation
from livechat.services.messages import message_post
from tests.livechat.consumers.conftest import FRAME_WAIT, drain, open_chat, person, send, start_chat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@database_sync_to_async
def stored(public_id: str) -> list[tuple[int, str, str]]:
    rows = ChatMessage.objects.filter(conversation__public_id=public_id).order_by("seq")
    return [(row.seq, row.sender, row.body) for row in rows]


@database_sync_to_async
def agent_says(public_id: str, body: str, *, internal: bool = False) -> None:
    conversation = Conversation.objects.get(public_id=public_id)
    message_post(conversation=conversation, sender="agent", body=body, internal=internal)


async def test_customer_chat_greets_and_acks_then_broadcasts_a_message_once():
    # given: Mei, signed in, opens a chat; the assistant's greeting is message 1
    mei = await person("mei@example.test")
    chat = await start_chat(mei)
    socket, resumed = await open_chat(chat)
    assert [frame["message"]["sender"] for frame in resumed] == ["bot"]
    assert resumed[0]["message"]["body"].startswith("Hi, I'm Beacon's assistant")
    # when: she sends a message
    ack = await send(socket, "c-1", "My withdrawal has not arrived")
    # then: the ack comes first, then the message itself
    assert ack["type"] == "message.ack" and ack["client_id"] == "c-1" and ack["id"] == 2
    new = await socket.receive_json_from(FRAME_WAIT)
    assert new["type"] == "message.new"
    assert new["message"]["id"] == 2 and new["message"]["body"] == "My withdrawal has not arrived"
    assert new["message"]["sender"] == "customer" and "internal" not in new["message"]
    # and: the assistant answers after it (the chat is with the bot)
    later = await drain(socket)
    assert later and {frame["message"]["sender"] for frame in later} == {"bot"}
    # when: the client retries with the same client_id (it missed the ack)
    again = await send(socket, "c-1", "My withdrawal has not arrived")
    # then: the same ack, no second message anywhere
    assert again == ack
    assert await socket.receive_nothing(0.5)
    rows = await stored(chat.public_id)
    assert [(seq, sender) for seq, sender, _body in rows if sender == "customer"] == [
        (2, "customer")
    ]
    assert len(rows) == 2 + len(later)
    await socket.disconnect()


async def test_customer_chat_resume_returns_exactly_the_missed_messages():
    # given: an anonymous visitor saw messages 1 and 2, then lost the connection
    chat = await start_chat()
    socket, _ = await open_chat(chat)
    await send(socket, "c-1", "hello")
    seen = [frame["message"]["id"] for frame in await drain(socket)]  # hers, and the bot's
    assert seen[0] == 2
    await socket.disconnect()
    # while away: an agent answers twice
    await agent_says(chat.public_id, "Hi, I'm Lin")
    await agent_says(chat.public_id, "Let me look")
    # when: the browser reconnects with after=2
    last = seen[-1]
    socket, resumed = await open_chat(chat, after=last)
    # then: exactly the two missed messages, in order
    assert [frame["message"]["id"] for frame in resumed] == [last + 1, last + 2]
    assert [frame["message"]["body"] for frame in resumed] == ["Hi, I'm Lin", "Let me look"]
    # and: a resume frame gives the same from any point
    await socket.send_json_to({"type": "resume", "after": last + 1})
    assert [frame["message"]["id"] for frame in await drain(socket)] == [last + 2]
    await socket.disconnect()


async def test_customer_chat_never_shows_internal_notes():
    # given: Mei's chat is open
    mei = await person("mei@example.test")
    chat = await start_chat(mei)
    socket, _ = await open_chat(chat)
    # when: the agent writes an internal note, then a public reply
    await agent_says(chat.public_id, "VIP, check the withdrawal log", internal=True)
    await agent_says(chat.public_id, "I'm checking now")
    # then: only the reply reaches her, live and on resume
    frames = await drain(socket)
    assert [frame["message"]["body"] for frame in frames] == ["I'm checking now"]
    await socket.send_json_to({"type": "resume", "after": 0})
    bodies = [frame["message"]["body"] for frame in await drain(socket)]
    assert "VIP, check the withdrawal log" not in bodies and "I'm checking now" in bodies
    await socket.disconnect()


async def test_customer_chat_warns_the_sender_when_a_secret_was_masked():
    # given: Mei's chat
    mei = await person("mei@example.test")
    chat = await start_chat(mei)
    socket, _ = await open_chat(chat)
    # when: she types her password into the chat
    ack = await send(socket, "c-1", "my password is Hunter2-secret")
    # then: the ack, a warning naming what was hidden, and the message already masked
    assert ack["type"] == "message.ack"
    assert await socket.receive_json_from(FRAME_WAIT) == {
        "type": "warning.sensitive",
        "kinds": ["password"],
    }
    new = await socket.receive_json_from(FRAME_WAIT)
    assert new["message"]["masked"] == ["password"]
    assert "Hunter2-secret" not in new["message"]["body"]
    assert all("Hunter2-secret" not in body for _seq, _sender, body in await stored(chat.public_id))
    await drain(socket)
    await socket.disconnect()


@database_sync_to_async
def end_elsewhere(public_id: str) -> None:
    """The agent ends the chat from the console (another socket, another server)."""
    from livechat.services.conversations import conversation_end

    conversation_end(conversation=Conversation.objects.get(public_id=public_id), by="agent")


async def test_customer_message_after_the_chat_ended_elsewhere_is_refused_and_not_stored():
    # given: Mei's chat is open in her tab
    mei = await person("mei@example.test")
    chat = await start_chat(mei)
    socket, _ = await open_chat(chat)
    # when: the agent ends it from the console, and she sends one more message
    await end_elsewhere(chat.public_id)
    await drain(socket)  # the system line and the update
    error = await send(socket, "c-late", "wait, one more thing")
    # then: refused as ended, and nothing of it was stored
    assert error["type"] == "error" and error["code"] == "ended"
    assert "wait, one more thing" not in [body for _s, _w, body in await stored(chat.public_id)]
    assert await socket.receive_nothing(0.3)
    await socket.disconnect()


async def test_customer_messages_sent_at_once_are_answered_in_order():
    # given: a chat with an agent (no bot answers in between)
    chat = await start_chat()
    await database_sync_to_async(Conversation.objects.filter(public_id=chat.public_id).update)(
        status=Conversation.Status.ACTIVE
    )
    socket, _ = await open_chat(chat)
    # when: the browser sends five messages without waiting for the acks
    for n in range(5):
        await socket.send_json_to({"type": "message.send", "client_id": f"c-{n}", "body": f"#{n}"})
    # then: five acks and five messages, each in the order sent, numbered in that order
    frames = await drain(socket)
    acks = [(f["client_id"], f["id"]) for f in frames if f["type"] == "message.ack"]
    news = [
        (f["message"]["client_id"], f["message"]["id"])
        for f in frames
        if f["type"] == "message.new"
    ]
    assert acks == [(f"c-{n}", n + 2) for n in range(5)]
    assert news == acks
    await socket.disconnect()
    # and: stored in that order
    customer_rows = [(seq, body) for seq, sender, body in await stored(chat.public_id)][1:]
    assert customer_rows == [(n + 2, f"#{n}") for n in range(5)]
