"""Frames no browser of ours sends get an error frame, and the socket stays open, on
every socket: NUL or a lone surrogate in any field, malformed JSON, nesting past the
recursion limit, 1 MiB of junk, and hostile values in the fields the handlers look up
(a ticket number, a staff ID). Each of these used to close the socket with 1011."""

from __future__ import annotations

import json
import uuid

import pytest
from channels.db import database_sync_to_async

from accounts.models import Role
from livechat.services.conversations import conversation_start
from tests.sockets.helpers import (
    FRAME_WAIT,
    error_then_still_open,
    make_person,
    signed_in,
    socket,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

NUL, SURROGATE = "\\u0000", "\\ud800"  # as JSON escapes: the frame text is valid UTF-8
ANY_SOCKET = {
    "malformed JSON": '{"type": "message.send", "client_id": ',
    "not JSON": "hello",
    "1 MiB of junk": "x" * (1 << 20),
    "1 MiB of junk JSON": json.dumps({"type": "message.send", "body": "x" * (1 << 20)}),
    "nested past the recursion limit": "[" * 5000 + "]" * 5000,
    "NUL in a key": '{"type": "ticket.typing", "a\\u0000": 1}',
    "NUL in the type": '{"type": "message\\u0000"}',
}
CHAT = {
    "client_id NUL": f'{{"type": "message.send", "client_id": "{NUL}", "body": "hi"}}',
    "client_id lone surrogate": f'{{"type": "message.send", "client_id": "{SURROGATE}", "body": "hi"}}',
    "body NUL": f'{{"type": "message.send", "client_id": "c-1", "body": "a{NUL}b"}}',
    "body lone surrogate": f'{{"type": "message.send", "client_id": "c-1", "body": "{SURROGATE}"}}',
}
CONSOLE = {
    f"ticket.watch {label}": json.dumps({"type": "ticket.watch", "number": number})
    for label, number in {
        "NUL": "240101-00000\u0000",
        "lone surrogate": "\ud800",
        "not a number": "../../etc",
        "long": "1" * 5000,
        "a list": ["240101-000001"],
        "missing": None,
    }.items()
}
AGENT_TRANSFER = {
    f"chat.transfer agent {label}": json.dumps(
        {"type": "chat.transfer", "conversation": str(uuid.uuid4()), "agent": agent}
    )
    for label, agent in {
        "NUL": "BCN-\u0000",
        "lone surrogate": "\ud800",
        "an object": {"staff_id": "BCN-1"},
        "a number": 12345,
        "long": "B" * 5000,
    }.items()
}
CASES = (
    [("customer", name, text) for name, text in {**ANY_SOCKET, **CHAT}.items()]
    + [("agent", name, text) for name, text in {**ANY_SOCKET, **CHAT, **AGENT_TRANSFER}.items()]
    + [("console", name, text) for name, text in {**ANY_SOCKET, **CONSOLE}.items()]
    + [("bell", name, text) for name, text in ANY_SOCKET.items()]
)


@database_sync_to_async
def _someone(kind: str):
    role = {"agent": Role.AGENT, "console": Role.AGENT}.get(kind)
    return make_person(f"{kind}@example.test", role=role, totp=role is not None)


async def open_socket(kind: str):
    user = await _someone(kind)
    browser = await signed_in(user)
    path = {"agent": "/ws/chat/agent/", "console": "/ws/console/", "bell": "/ws/notifications/"}
    if kind == "customer":
        chat = await database_sync_to_async(conversation_start)(
            user=user, session_key=browser.session_key, language="en"
        )
        path[kind] = f"/ws/chat/{chat.public_id}/"
    communicator = socket(path[kind], browser)
    connected, _ = await communicator.connect(FRAME_WAIT)
    assert connected
    while not await communicator.receive_nothing(0.3):  # hello, snapshots, counts
        frame = await communicator.receive_json_from(FRAME_WAIT)
        assert frame["type"] != "error", frame
    return communicator


@pytest.mark.parametrize(("kind", "name", "text"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
async def test_a_hostile_frame_gets_an_error_and_the_socket_stays_open(kind, name, text):
    # given: the socket open, as its page opens it
    communicator = await open_socket(kind)
    # when: the frame comes
    error = await error_then_still_open(communicator, text)
    # then: an error frame (a code and a message for people), and the socket answered the
    # next frame too
    assert error["code"] and error["message"]
    if "1 MiB" in name:
        assert error["code"] == "too_large"
    await communicator.disconnect()
