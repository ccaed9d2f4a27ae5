"""Freezing hangs up the person's open websockets, through the real ASGI app and Redis."""

from __future__ import annotations

import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from accounts.freeze.services import account_freeze
from accounts.models import AccountFreeze, User
from config.asgi import application
from tests.accounts.freeze.conftest import make_person

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

FRAME_WAIT = 5  # for frames that must come; the close itself must come within a second


@database_sync_to_async
def session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def connect(user: User) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"cookie", await session_cookie(user))]
    socket = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, _ = await socket.connect()
    assert connected
    assert (await socket.receive_json_from(FRAME_WAIT))["type"] == "notification.unread"
    return socket


async def test_freezing_closes_the_open_websocket_within_a_second():
    # given: Mei and Sam each have the bell's websocket open
    mei = await database_sync_to_async(make_person)("mei@example.test")
    sam = await database_sync_to_async(make_person)("sam@example.test")
    mei_socket, sam_socket = await connect(mei), await connect(sam)
    # when: Mei's account is frozen
    started = time.monotonic()
    await database_sync_to_async(account_freeze)(
        user=mei, source=AccountFreeze.Source.SECURITY_PAGE, reason=""
    )
    # then: her socket is closed with 4403 within one second; Sam's stays open
    closed = await mei_socket.receive_output(timeout=1)
    assert closed == {"type": "websocket.close", "code": 4403}
    assert time.monotonic() - started < 1
    assert await sam_socket.receive_nothing()
    await sam_socket.disconnect()
