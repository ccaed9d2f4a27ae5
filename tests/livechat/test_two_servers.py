"""Two ASGI server processes sharing Redis: a message sent to one reaches a socket on the
other. This is how Beacon scales out (DESIGN.md, Runtime), so it is tested as it runs:
two daphne processes on the test database, real websockets between them and this test.

The second listener is the same customer in a second tab on the other server (the
agent's socket is exercised in its own tests); both tabs are ordinary customer sockets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from websockets.sync.client import ClientConnection, connect

from accounts.models import User
from livechat.services.conversations import conversation_start
from tests.servers import AsgiServer

pytestmark = pytest.mark.django_db(transaction=True)

# A bound on waiting for a frame that must come; not a speed test.
FRAME_WAIT = 10


@pytest.fixture
def two_servers() -> Iterator[tuple[AsgiServer, AsgiServer]]:
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    assert backend.startswith("channels_redis"), "set REDIS_URL: two servers share Redis"
    servers = (AsgiServer(), AsgiServer())
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        # Stopped before the test database is dropped: they hold connections to it.
        for server in servers:
            server.stop()


def signed_in_session(user: User) -> str:
    """A session as sign-in leaves it, written to the test database."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def open_tab(server: AsgiServer, public_id: str, session_key: str) -> ClientConnection:
    return connect(
        f"ws://127.0.0.1:{server.port}/ws/chat/{public_id}/",
        origin=f"http://127.0.0.1:{server.port}",
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"},
        open_timeout=FRAME_WAIT,
    )


def frames_until(tab: ClientConnection, wanted) -> list[dict]:
    """Frames in order up to and including the first one `wanted` accepts."""
    seen = []
    while True:
        frame = json.loads(tab.recv(timeout=FRAME_WAIT))
        seen.append(frame)
        if wanted(frame):
            return seen


def test_a_message_sent_through_one_server_reaches_a_socket_on_the_other(two_servers):
    # given: Mei's chat, open in one tab on each server
    first, second = two_servers
    mei = User.objects.create_user("mei@example.test", "pw-long-enough-1")
    session_key = signed_in_session(mei)
    conversation = conversation_start(user=mei, session_key=session_key, language="en")
    public_id = str(conversation.public_id)
    with (
        open_tab(first, public_id, session_key) as tab_one,
        open_tab(second, public_id, session_key) as tab_two,
    ):
        for tab in (tab_one, tab_two):
            hello, greeting = (json.loads(tab.recv(timeout=FRAME_WAIT)) for _ in range(2))
            assert hello["type"] == "hello" and hello["conversation"]["id"] == public_id
            assert greeting["message"]["id"] == 1 and greeting["message"]["sender"] == "bot"
        # when: she sends a message through the first server
        send = {"type": "message.send", "client_id": "two-1", "body": "Deposit not credited"}
        tab_one.send(json.dumps(send))
        # then: the first server acknowledges it, and the second server's tab gets it
        ack = json.loads(tab_one.recv(timeout=FRAME_WAIT))
        assert ack["type"] == "message.ack" and ack["id"] == 2
        arrived = frames_until(tab_two, lambda frame: frame["type"] == "message.new")
        assert arrived[-1]["message"]["id"] == 2
        assert arrived[-1]["message"]["body"] == "Deposit not credited"
        # when: she asks for a person through the second server
        tab_two.send(json.dumps({"type": "handoff"}))
        # then: the first server's tab hears the chat is queued
        update = frames_until(tab_one, lambda frame: frame["type"] == "conversation.update")
        assert update[-1]["status"] == "queued"
