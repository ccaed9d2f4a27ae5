"""Through the real server (daphne, as production runs it, and uvicorn with the protocol it
would run) on this test's database: a frame past the size limit gets `too_large` at every
size, the connection staying open (daphne used to drop it without a word past its own
1 MiB cap, uvicorn closes with 1009; config/websocket_server.py), and a page on another
origin cannot open a socket."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from accounts.models import User
from livechat.services.conversations import conversation_start
from tests.servers import AsgiServer

pytestmark = pytest.mark.django_db(transaction=True)

FRAME_WAIT = 10  # seconds; a few MiB cross the loopback first
MiB = 1 << 20
# Around the app's limit (16 KiB), the servers' cap (1 MiB), and far past it; one message
# sent in 64 KiB fragments, as a client may.
SIZES = [16 * 1024 + 1, MiB - 64, MiB + 1, 3 * MiB, 20 * MiB]


@pytest.fixture(params=["daphne", "uvicorn"])
def server(request, transactional_db) -> Iterator[AsgiServer]:
    running = AsgiServer(server=request.param, BEACON_SEMANTIC_SEARCH="0")
    try:
        running.wait_ready()
        yield running
    finally:
        output = running.stop()  # before the test database goes: it holds connections
    assert "Traceback" not in output, output


def session_for(email: str) -> str:
    user = User.objects.create_user(email, "pw-long-enough-1")
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def chat_of(session_key: str) -> str:
    """The path of a chat the session's customer owns."""
    user = User.objects.get(pk=SessionStore(session_key)[SESSION_KEY])
    chat = conversation_start(user=user, session_key=session_key, language="en")
    return f"/ws/chat/{chat.public_id}/"


def open_socket(
    server: AsgiServer, session_key: str, path: str = "/ws/notifications/", *, origin=None
) -> ClientConnection:
    return connect(
        f"ws://127.0.0.1:{server.port}{path}",
        origin=origin or server.url,
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"},
        open_timeout=FRAME_WAIT,
        max_size=None,
    )


def next_frame(socket: ClientConnection) -> dict:
    return json.loads(socket.recv(timeout=FRAME_WAIT))


def drain(socket: ClientConnection) -> None:
    """Read what comes on connect (hello, the greeting) until the socket falls quiet."""
    while True:
        try:
            socket.recv(timeout=0.5)
        except TimeoutError:
            return


def test_frames_past_the_limit_get_too_large_at_every_size(server):
    # given: a customer's chat socket on the real server
    session_key = session_for("mei@example.test")
    with open_socket(server, session_key, chat_of(session_key)) as socket:
        drain(socket)
        messages = [("x" * size, size) for size in SIZES]
        messages.append((("y" * 64 * 1024 for _ in range(40)), 40 * 64 * 1024))  # fragmented
        for message, size in messages:
            # when: a message of that size comes
            socket.send(message)
            # then: `too_large`, and the connection still answers the next frame
            assert next_frame(socket)["code"] == "too_large", size
            socket.send(json.dumps({"type": "resume", "after": "bad"}))
            assert next_frame(socket)["code"] == "bad_frame", size
            time.sleep(0.2)  # inside the rate limit (10 frames a second)


def test_a_page_on_another_origin_cannot_open_a_socket(server):
    session_key = session_for("mei@example.test")
    for origin in ("http://evil.example", f"http://127.0.0.1.evil.example:{server.port}"):
        with pytest.raises(InvalidStatus) as refused:
            open_socket(server, session_key, origin=origin)
        assert refused.value.response.status_code == 403
    with open_socket(server, session_key) as own:  # the site's own page
        assert next_frame(own)["type"] == "notification.unread"
