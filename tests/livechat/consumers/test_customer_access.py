"""Only the owner gets in: the customer, or the anonymous browser that started the chat.
Freezing the account or signing out hangs up; a foreign page cannot open the socket."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from accounts.freeze.services import account_freeze
from accounts.models import AccountFreeze, User
from config.asgi import application
from tests.livechat.consumers.conftest import (
    FRAME_WAIT,
    open_chat,
    person,
    send,
    socket_for,
    start_chat,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@database_sync_to_async
def signed_in_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def refused_with(socket) -> int:
    """Refusals accept and close at once, so the browser sees the code."""
    connected, _ = await socket.connect()
    assert connected
    closed = await socket.receive_output(FRAME_WAIT)
    assert closed["type"] == "websocket.close"
    await socket.disconnect()  # the test ends its side too: no consumer task outlives it
    return closed["code"]


async def test_customer_socket_refuses_someone_elses_chat_with_4403():
    # given: Mei's chat, and Sam signed in on his own browser
    mei, sam = await person("mei@example.test"), await person("sam@example.test")
    chat = await start_chat(mei)
    # when: Sam opens Mei's chat
    code = await refused_with(socket_for(chat, cookie=await signed_in_cookie(sam)))
    # then
    assert code == 4403


async def test_customer_socket_anonymous_chats_belong_to_their_session():
    # given: an anonymous visitor's chat
    chat = await start_chat()
    # then: their browser gets in and can talk
    socket, resumed = await open_chat(chat)
    assert [frame["message"]["sender"] for frame in resumed] == ["bot"]
    assert (await send(socket, "c-1", "hi"))["type"] == "message.ack"
    await socket.disconnect()
    # and: another anonymous browser (another session) is refused, as is no session
    stranger = await start_chat()
    assert await refused_with(socket_for(chat, cookie=stranger.cookie)) == 4403
    assert await refused_with(socket_for(chat, cookie=b"")) == 4403


async def test_customer_socket_closes_4403_when_the_account_is_frozen():
    # given: Mei chatting
    mei = await person("mei@example.test")
    chat = await start_chat(mei)
    socket, _ = await open_chat(chat)
    # when: her account is frozen
    await database_sync_to_async(account_freeze)(
        user=mei, source=AccountFreeze.Source.SECURITY_PAGE, reason=""
    )
    # then: the socket is closed with 4403
    assert await socket.receive_output(FRAME_WAIT) == {"type": "websocket.close", "code": 4403}
    await socket.disconnect()


async def test_customer_socket_closes_4401_at_the_next_frame_after_signing_out():
    # given: Mei chatting
    mei = await person("mei@example.test")
    chat = await start_chat(mei)
    socket, _ = await open_chat(chat)
    # when: she signs out in another tab (her session is gone), then types
    await database_sync_to_async(chat.client.logout)()
    await socket.send_json_to({"type": "typing", "on": True})
    # then: the socket closes with 4401 and nothing was sent
    assert await socket.receive_output(FRAME_WAIT) == {"type": "websocket.close", "code": 4401}
    await socket.disconnect()


async def test_customer_socket_refuses_a_foreign_origin():
    # given: an anonymous visitor's chat, and the app as config.asgi serves it, with the
    # test settings' real origin list (not "every host")
    chat = await start_chat()
    # when: a page elsewhere, or a client that names no page, opens the chat with the
    # visitor's cookie
    for origin in (b"https://evil.example", b"http://testserver.evil.example", None):
        headers = [(b"cookie", chat.cookie)] + ([(b"origin", origin)] if origin else [])
        path = f"/ws/chat/{chat.public_id}/"
        connected, _ = await WebsocketCommunicator(application, path, headers=headers).connect()
        # then: refused at the handshake
        assert not connected, origin
    # and: the site's own page gets in
    socket, _ = await open_chat(chat)
    await socket.disconnect()


async def test_customer_freeze_confirm_freezes_the_account_and_hangs_up():
    # given: Mei, signed in, chatting
    mei = await person("mei@example.test")
    chat = await start_chat(mei)
    socket, _ = await open_chat(chat)
    # when: she confirms the freeze the assistant offered
    await socket.send_json_to({"type": "freeze.confirm"})
    # then: a system line says so, and the socket closes 4403
    frames = []
    while (output := await socket.receive_output(FRAME_WAIT))["type"] != "websocket.close":
        frames.append(json.loads(output["text"]))
    assert output["code"] == 4403
    assert [frame["message"]["sender"] for frame in frames] == ["system"]
    assert not (await database_sync_to_async(User.objects.get)(pk=mei.pk)).is_active
    await socket.disconnect()
