"""The bell's websocket, through the real ASGI stack (session auth, routing) and Redis."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client

import notifications
from accounts.models import User
from config.asgi import application
from tests.notifications.conftest import hello_context

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

# How long to wait for a frame that must come; generous, since Redis sits in between.
FRAME_WAIT = 5


@database_sync_to_async
def person(email: str) -> User:
    return User.objects.create_user(email, "pw-long-enough-1")


@database_sync_to_async
def session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def open_socket(user: User | None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver")]
    if user is not None:
        headers.append((b"cookie", await session_cookie(user)))
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


async def connect(user: User) -> WebsocketCommunicator:
    socket = await open_socket(user)
    connected, _ = await socket.connect()
    assert connected
    return socket


@database_sync_to_async
def ring(user: User, number: str = "240101-000042") -> int:
    with transaction.atomic():
        (row,) = notifications.notify(
            kind="outbox_test.hello",
            recipient=user,
            context=hello_context(user, number),
            channels=("bell",),
        )
    return row.id


async def test_notification_consumer_refuses_anonymous_visitors(test_kinds):
    socket = await open_socket(None)
    connected, _ = await socket.connect()
    # accepted, then closed: the browser reads 4401 (a refused handshake shows only 1006)
    assert connected
    assert await socket.receive_output(FRAME_WAIT) == {"type": "websocket.close", "code": 4401}
    await socket.disconnect()


async def test_notification_consumer_pushes_a_new_bell_item_to_its_recipient_only(test_kinds):
    # given: two signed-in people with the console open
    mei, sam = await person("mei@example.test"), await person("sam@example.test")
    mei_socket, sam_socket = await connect(mei), await connect(sam)
    for socket in (mei_socket, sam_socket):
        assert await socket.receive_json_from(FRAME_WAIT) == {
            "type": "notification.unread",
            "count": 0,
        }
    # when: something rings Mei's bell, and the transaction commits
    notification_id = await ring(mei)
    # then
    frame = await mei_socket.receive_json_from(FRAME_WAIT)
    assert frame["type"] == "notification.new" and frame["unread"] == 1
    assert frame["notification"] == {
        "id": notification_id,
        "kind": "outbox_test.hello",
        "title": "[Beacon] We received your request 240101-000042",
        "url": "/requests/240101-000042/",
        "created_at": frame["notification"]["created_at"],
        "read": False,
    }
    assert await sam_socket.receive_nothing()
    await mei_socket.disconnect()
    await sam_socket.disconnect()


async def test_notification_consumer_pushes_nothing_for_a_rolled_back_change(test_kinds):
    # given
    mei = await person("mei@example.test")
    socket = await connect(mei)
    await socket.receive_json_from(FRAME_WAIT)

    @database_sync_to_async
    def ring_then_fail() -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            notifications.notify(
                kind="outbox_test.hello",
                recipient=mei,
                context=hello_context(mei),
                channels=("bell",),
            )
            raise RuntimeError

    # when
    await ring_then_fail()
    # then
    assert await socket.receive_nothing()
    await socket.disconnect()


async def test_notification_consumer_marks_read_and_tells_every_open_console(test_kinds):
    # given: Mei has two tabs open and one unread item
    mei = await person("mei@example.test")
    notification_id = await ring(mei)
    first_tab, second_tab = await connect(mei), await connect(mei)
    for tab in (first_tab, second_tab):
        assert (await tab.receive_json_from(FRAME_WAIT))["count"] == 1
    # when: she reads it in the first tab
    await first_tab.send_json_to({"type": "notification.read", "ids": [notification_id]})
    # then: both tabs learn the new count
    for tab in (first_tab, second_tab):
        assert await tab.receive_json_from(FRAME_WAIT) == {
            "type": "notification.unread",
            "count": 0,
        }
    await first_tab.disconnect()
    await second_tab.disconnect()


async def test_notification_consumer_marks_all_read(test_kinds):
    mei = await person("mei@example.test")
    await ring(mei, "1")
    await ring(mei, "2")
    socket = await connect(mei)
    assert (await socket.receive_json_from(FRAME_WAIT))["count"] == 2
    await socket.send_json_to({"type": "notification.read", "ids": "all"})
    assert (await socket.receive_json_from(FRAME_WAIT))["count"] == 0
    await socket.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"text_data": "not json"},
        {"bytes_data": b"\x00\x01"},
        {"text_data": '["a", "list"]'},
        {"text_data": '{"type": "notification.delete"}'},
        {"text_data": '{"type": "notification.read", "ids": "some"}'},
        {"text_data": '{"type": "notification.read", "ids": ["1"]}'},
    ],
)
async def test_notification_consumer_answers_a_malformed_frame_with_an_error(test_kinds, frame):
    # given
    mei = await person("mei@example.test")
    socket = await connect(mei)
    await socket.receive_json_from(FRAME_WAIT)
    # when
    await socket.send_to(**frame)
    # then: an error frame, and the socket stays usable
    assert (await socket.receive_json_from(FRAME_WAIT))["type"] == "error"
    await socket.send_json_to({"type": "notification.read", "ids": "all"})
    assert await socket.receive_nothing()  # nothing was unread, so no new count
    await socket.disconnect()
