"""The agent's console socket through the real ASGI stack (session auth, routing, Redis)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from accounts.models import Role, User
from accounts.services import user_role_grant
from config.asgi import application
from livechat.models import AgentPresence, ChatMessage, Conversation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

FRAME_WAIT = 5  # seconds for a frame that must come; Redis sits in between


@database_sync_to_async
def person(email: str, *, role: Role | None = Role.AGENT, name: str = "") -> User:
    user = User.objects.create_user(email, "pw-long-enough-1", first_name=name)
    if role is not None:
        user_role_grant(user=user, role=role)
    return user


@database_sync_to_async
def session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def open_socket(user: User | None, path: str = "/ws/chat/agent/") -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver")]
    if user is not None:
        headers.append((b"cookie", await session_cookie(user)))
    return WebsocketCommunicator(application, path, headers=headers)


async def frames_until(socket: WebsocketCommunicator, kind: str) -> list[dict]:
    """Frames up to and including the first of type `kind`."""
    seen = []
    while True:
        frame = await socket.receive_json_from(FRAME_WAIT)
        seen.append(frame)
        if frame["type"] == kind:
            return seen


@database_sync_to_async
def queued_chat(customer: User, language: str = "en") -> Conversation:
    chat = Conversation.objects.create(customer=customer, language=language, status="queued")
    ChatMessage.objects.create(conversation=chat, seq=1, sender="customer", body="Help please")
    chat.last_seq = 1
    chat.save()
    return chat


@database_sync_to_async
def fresh(model):
    model.refresh_from_db()
    return model


async def test_agent_socket_refuses_customers_and_signed_out_visitors():
    customer = await person("cust@example.test", role=None)
    for user, code in ((customer, 4403), (None, 4401)):
        socket = await open_socket(user)
        connected, _ = await socket.connect()
        assert connected  # accepted, then closed with the code the browser can read
        assert (await socket.receive_output(FRAME_WAIT))["code"] == code
        # Wait for the consumer's own end, so no task of it outlives the test's event
        # loop (one left running held the loop's teardown forever).
        await socket.disconnect()


async def test_agent_socket_holds_the_consoles_two_factor_rule(settings):
    # given: the staff 2FA rule on, and an agent who never set up a factor
    settings.BEACON_STAFF_MFA_REQUIRED = True
    agent = await person("no2fa@example.test", name="Sam")
    # when: the agent opens the console's chat socket
    socket = await open_socket(agent)
    connected, _ = await socket.connect()
    # then: refused like the console page, and never shown as online to routing
    assert connected
    assert (await socket.receive_output(FRAME_WAIT))["code"] == 4403
    await socket.disconnect()
    assert not await database_sync_to_async(
        AgentPresence.objects.filter(agent=agent, status="online").exists
    )()


async def test_agent_comes_online_takes_the_waiting_chat_and_talks_to_the_customer():
    # given: a customer waiting, and an agent who opens the console
    customer = await person("cust@example.test", role=None)
    chat = await queued_chat(customer)
    mei = await person("mei@example.test", name="Mei")
    agent = await open_socket(mei)
    assert (await agent.connect())[0]
    hello = await agent.receive_json_from(FRAME_WAIT)
    assert hello["type"] == "presence.update" and hello["status"] == "online"
    staff_id = hello["staff_id"]
    assert staff_id.startswith("BCN-") and len(staff_id) == 9
    # then: the chat is routed to her
    frames = await frames_until(agent, "chat.assigned")
    assert frames[-1]["conversation"]["id"] == str(chat.public_id)
    assert (await fresh(chat)).agent_id == mei.id
    # when: the customer is connected, and the agent opens the chat and answers
    customer_socket = await open_socket(customer, f"/ws/chat/{chat.public_id}/")
    assert (await customer_socket.connect())[0]
    await frames_until(customer_socket, "hello")
    await agent.send_json_to({"type": "chat.open", "conversation": str(chat.public_id), "after": 0})
    history = await frames_until(agent, "message.new")
    assert history[-1]["message"]["body"] == "Help please"
    await agent.send_json_to(
        {
            "type": "message.send",
            "conversation": str(chat.public_id),
            "client_id": "a-1",
            "body": "Hello, I'm Mei.",
        }
    )
    ack = (await frames_until(agent, "message.ack"))[-1]
    assert ack["client_id"] == "a-1" and ack["conversation"] == str(chat.public_id)
    # then: the customer sees the reply with her staff ID
    reply = (await frames_until(customer_socket, "message.new"))[-1]["message"]
    while reply["sender"] != "agent":
        reply = (await frames_until(customer_socket, "message.new"))[-1]["message"]
    assert reply["body"] == "Hello, I'm Mei." and reply["staff_id"] == staff_id
    # when: an internal note; then the agent gets it and the customer does not
    await agent.send_json_to(
        {
            "type": "message.send",
            "conversation": str(chat.public_id),
            "client_id": "a-2",
            "body": "VIP customer",
            "internal": True,
        }
    )
    note = [f for f in await frames_until(agent, "message.ack")]
    assert note[-1]["client_id"] == "a-2"
    # typing from the agent reaches the customer
    await agent.send_json_to({"type": "typing", "conversation": str(chat.public_id), "on": True})
    typing = await frames_until(customer_socket, "typing")
    assert all(f.get("message", {}).get("body") != "VIP customer" for f in typing)
    assert typing[-1] == {"type": "typing", "from": "agent", "on": True}
    # the customer types and reads: the agent sees both, naming the chat
    await customer_socket.send_json_to({"type": "typing", "on": True})
    seen = (await frames_until(agent, "typing"))[-1]
    assert seen == {
        "type": "typing",
        "conversation": str(chat.public_id),
        "from": "customer",
        "on": True,
    }
    await customer_socket.disconnect()
    # when: the agent closes her only socket, she is offline with the grace clock running
    await agent.disconnect()
    presence = await database_sync_to_async(AgentPresence.objects.get)(agent=mei)
    assert presence.status == "offline" and presence.disconnected_at is not None


async def test_coming_online_announces_each_chat_once_and_no_message_twice():
    # given: one chat already the agent's, and one waiting that routing will give her
    customer = await person("cust@example.test", role=None)
    other = await person("other@example.test", role=None)
    mei = await person("mei@example.test", name="Mei")
    mine = await queued_chat(customer)
    await database_sync_to_async(Conversation.objects.filter(pk=mine.pk).update)(
        status="active", agent=mei
    )
    waiting = await queued_chat(other)
    # when: she opens the console, and opens each chat it announces (as agent_chat.js does)
    agent = await open_socket(mei)
    assert (await agent.connect())[0]
    frames = []
    while not await agent.receive_nothing(1):
        frame = await agent.receive_json_from(FRAME_WAIT)
        frames.append(frame)
        if frame["type"] == "chat.assigned":
            chat_id = frame["conversation"]["id"]
            await agent.send_json_to({"type": "chat.open", "conversation": chat_id, "after": 0})
    # then: each chat is announced once, and each message arrives once
    assigned = [f["conversation"]["id"] for f in frames if f["type"] == "chat.assigned"]
    assert sorted(assigned) == sorted([str(mine.public_id), str(waiting.public_id)])
    messages = [
        (f["conversation"], f["message"]["id"]) for f in frames if f["type"] == "message.new"
    ]
    expected = []
    for chat in (mine, waiting):
        chat = await fresh(chat)  # taking the chat may have added a line ("Mei joined")
        expected += [(str(chat.public_id), n) for n in range(1, chat.last_seq + 1)]
    assert sorted(messages) == sorted(expected)
    await agent.disconnect()


async def test_agent_socket_answers_bad_frames_with_errors_and_keeps_other_chats_private():
    customer = await person("cust@example.test", role=None)
    chat = await queued_chat(customer, language="zh-hans")  # nobody serves Chinese
    sam = await person("sam@example.test", name="Sam")
    socket = await open_socket(sam)
    assert (await socket.connect())[0]
    await frames_until(socket, "queue.snapshot")
    for frame, code in (
        ({"type": "message.send", "body": "hi", "client_id": "x"}, "bad_frame"),
        ({"type": "nonsense"}, "bad_frame"),
        (
            {
                "type": "message.send",
                "conversation": str(chat.public_id),
                "client_id": "x",
                "body": "hi",
            },
            "not_found",
        ),
        ({"type": "chat.open", "conversation": "not-a-uuid"}, "not_found"),
        ({"type": "presence.set", "status": "asleep"}, "bad_status"),
    ):
        await socket.send_json_to(frame)
        error = (await frames_until(socket, "error"))[-1]
        assert error["code"] == code
    assert not await database_sync_to_async(chat.messages.filter(sender="agent").exists)()
    # away: still connected, takes no new chats
    await socket.send_json_to({"type": "presence.set", "status": "away"})
    update = (await frames_until(socket, "presence.update"))[-1]
    assert update["status"] == "away"
    await socket.disconnect()
