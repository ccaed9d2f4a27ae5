"""The customer's socket: typing and read reach the other side; bad frames get an error
frame and the socket stays usable; hand-off, end and rating are told to everyone."""

from __future__ import annotations

import asyncio
import json
import math
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from core.sockets.frames import RATE_PER_SECOND
from livechat.groups import conversation_group, conversation_staff_group
from livechat.models import ChatMessage
from tests.livechat.consumers.conftest import (
    FRAME_WAIT,
    answers_to,
    drain,
    open_chat,
    person,
    send,
    start_chat,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def agent_stand_in(public_id: str) -> str:
    """A raw channel-layer listener in the chat's staff group, standing in for the agent."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(conversation_staff_group(public_id), channel)
    return channel


async def test_customer_typing_and_read_reach_the_agent_side_but_not_her_other_tab():
    # given: Mei has the chat open in two tabs, and the agent's side listens
    mei = await person("mei@example.test")
    chat = await start_chat(mei)
    tab, _ = await open_chat(chat)
    other_tab, _ = await open_chat(chat)
    layer = get_channel_layer()
    agent = await agent_stand_in(chat.public_id)
    # when: she types, then reads up to the greeting
    await tab.send_json_to({"type": "typing", "on": True})
    await tab.send_json_to({"type": "read", "up_to": 1})
    # then: the agent side hears both, in order
    typing = await asyncio.wait_for(layer.receive(agent), FRAME_WAIT)
    assert (typing["type"], typing["from"], typing["on"]) == ("chat.typing", "customer", True)
    read = await asyncio.wait_for(layer.receive(agent), FRAME_WAIT)
    assert (read["type"], read["by"], read["up_to"]) == ("chat.read", "customer", 1)
    # and: her own tabs are not told that she is typing
    assert await other_tab.receive_nothing(0.5) and await tab.receive_nothing(0.1)
    # when: the agent types and reads
    group = conversation_group(chat.public_id)
    await layer.group_send(group, {"type": "chat.typing", "from": "agent", "on": True})
    await layer.group_send(group, {"type": "chat.read", "by": "agent", "up_to": 1})
    # then: both of her tabs show it
    for socket in (tab, other_tab):
        assert await socket.receive_json_from(FRAME_WAIT) == {
            "type": "typing",
            "from": "agent",
            "on": True,
        }
        assert await socket.receive_json_from(FRAME_WAIT) == {
            "type": "read",
            "by": "agent",
            "up_to": 1,
        }
        await socket.disconnect()
    await layer.group_discard(conversation_staff_group(chat.public_id), agent)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (json.dumps({"type": "typing", "on": True, "pad": "x" * 20 * 1024}), "too_large"),
        ("not json at all", "bad_frame"),
        ("[1, 2, 3]", "bad_frame"),
        (json.dumps({"type": "teleport"}), "bad_frame"),
        (json.dumps({"body": "no type"}), "bad_frame"),
        (json.dumps({"type": "message.send", "client_id": "c-9", "body": "x" * 4001}), "too_long"),
        (json.dumps({"type": "message.send", "client_id": "c-9", "body": "   "}), "empty"),
        (json.dumps({"type": "message.send", "body": "no client id"}), "bad_frame"),
        (json.dumps({"type": "rate", "rating": 9}), "bad_rating"),
    ],
)
async def test_customer_bad_frames_get_an_error_and_the_socket_stays_usable(frame, code):
    # given: an anonymous visitor's chat
    chat = await start_chat()
    socket, _ = await open_chat(chat)
    # when: the browser sends a bad frame
    await socket.send_to(text_data=frame)
    # then: an error frame with its code, and nothing else
    error = await socket.receive_json_from(FRAME_WAIT)
    assert error["type"] == "error" and error["code"] == code and error["message"]
    assert await socket.receive_nothing(0.3)
    # and: the socket still works
    ack = await send(socket, "c-ok", "still here")
    assert ack["type"] == "message.ack" and ack["id"] == 2
    await socket.disconnect()


async def test_customer_flood_is_rate_limited_and_the_socket_recovers():
    # given: an open chat
    chat = await start_chat()
    socket, _ = await open_chat(chat)
    # when: the browser sends 50 frames at once (resumes that have nothing to return)
    began = time.monotonic()
    for _ in range(50):
        await socket.send_json_to({"type": "resume", "after": 99})
    # then: the first ten pass; the rest get rate_limited, but for the frames the bucket
    # refilled (ten a second) while the server worked through them: few on a quiet
    # machine, more on a busy one
    errors = await drain(socket)
    refilled = math.ceil((time.monotonic() - began) * RATE_PER_SECOND)
    assert {frame["type"] for frame in errors} == {"error"}
    assert {frame["code"] for frame in errors} == {"rate_limited"}
    assert 40 - refilled <= len(errors) <= 40
    # when: a second later the bucket has refilled
    await asyncio.sleep(1.1)
    # then: the socket works as before
    assert (await send(socket, "c-1", "sorry"))["type"] == "message.ack"
    await socket.disconnect()


@database_sync_to_async
def stored_bodies(public_id: str) -> list[str]:
    return list(
        ChatMessage.objects.filter(
            conversation__public_id=public_id, sender=ChatMessage.Sender.CUSTOMER
        )
        .order_by("seq")
        .values_list("body", flat=True)
    )


async def test_a_refused_message_is_named_and_no_later_one_overtakes_it():
    # given: an open chat; the browser sends twenty frames at once (twice the burst)
    chat = await start_chat()
    socket, _ = await open_chat(chat)
    for _ in range(20):
        await socket.send_json_to({"type": "resume", "after": 99})
    # when: right behind them, three messages, then (a second later) a fourth
    for n in (1, 2, 3):
        await socket.send_json_to({"type": "message.send", "client_id": f"c-{n}", "body": f"m{n}"})
    first_answers = await answers_to(socket, ["c-1", "c-2", "c-3"]) + await drain(socket)
    await asyncio.sleep(1.1)
    await socket.send_json_to({"type": "message.send", "client_id": "c-4", "body": "m4"})
    # then: the refusals name the message each refused; the fourth, though the limit has
    # refilled, is refused too, because it would overtake the first refused one
    refused = [f["client_id"] for f in first_answers if "client_id" in f and "code" in f]
    assert refused and refused == [f"c-{n}" for n in range(4 - len(refused), 4)]
    later = (await answers_to(socket, ["c-4"]))[-1]
    assert (later["code"], later["client_id"]) == ("rate_limited", "c-4")
    # when: the browser sends again from the first refused one, in order
    resent = [f"c-{n}" for n in range(int(refused[0][2:]), 5)]
    for client_id in resent:
        body = f"m{client_id[2:]}"
        await socket.send_json_to({"type": "message.send", "client_id": client_id, "body": body})
    # then: each is acked, and all four are stored once, in the order written
    answers = await answers_to(socket, resent)
    assert [f["client_id"] for f in answers if f["type"] == "message.ack"] == resent
    assert await stored_bodies(chat.public_id) == ["m1", "m2", "m3", "m4"]
    await socket.disconnect()


async def test_customer_handoff_end_and_rating_are_told_to_every_tab():
    # given: Mei's chat in two tabs
    mei = await person("mei@example.test")
    chat = await start_chat(mei)
    tab, _ = await open_chat(chat)
    other_tab, _ = await open_chat(chat)
    # when: she rates too early
    await tab.send_json_to({"type": "rate", "rating": 5})
    # then: she is told she can rate once the chat ends
    assert (await tab.receive_json_from(FRAME_WAIT))["code"] == "not_ended"
    # when: she asks for a person
    await tab.send_json_to({"type": "handoff"})
    # then: every tab hears the chat is queued
    for socket in (tab, other_tab):
        update = next(f for f in await drain(socket) if f["type"] == "conversation.update")
        assert update["status"] == "queued" and update["conversation"] == chat.public_id
    # when: she ends the chat
    await tab.send_json_to({"type": "end"})
    # then: a system line, and the update, in every tab
    for socket in (tab, other_tab):
        frames = await drain(socket)
        kinds = [frame["type"] for frame in frames]
        assert kinds == ["message.new", "conversation.update"]
        assert frames[0]["message"]["sender"] == "system"
        assert frames[1]["status"] == "ended"
    # when: she rates now, and then sends a message
    await tab.send_json_to({"type": "rate", "rating": 4, "comment": "quick"})
    update = await tab.receive_json_from(FRAME_WAIT)
    assert update["type"] == "conversation.update" and update["rating"] == 4
    assert await other_tab.receive_json_from(FRAME_WAIT) == update
    # then: the ended chat takes no more messages
    error = await send(tab, "c-late", "one more thing")
    assert error["type"] == "error" and error["code"] == "ended"
    for socket in (tab, other_tab):
        await socket.disconnect()


async def test_customer_freeze_confirm_needs_a_signed_in_customer():
    chat = await start_chat()
    socket, _ = await open_chat(chat)
    await socket.send_json_to({"type": "freeze.confirm"})
    error = await socket.receive_json_from(FRAME_WAIT)
    assert error["type"] == "error" and error["code"] == "sign_in_required"
    await socket.disconnect()
