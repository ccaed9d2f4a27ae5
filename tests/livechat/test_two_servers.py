"""Two ASGI server processes sharing Redis: a message sent to one reaches a socket on the
other. This is how Beacon scales out (DESIGN.md, Runtime), so it is tested as it runs:
two daphne processes on the test database, real websockets between them and this test.

The second listener is the same customer in a second tab on the other server (the
agent's socket is exercised in its own tests); both tabs are ordinary customer sockets.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from websockets.sync.client import ClientConnection, connect

from accounts.models import User
from livechat.services.conversations import conversation_start

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
# Bounds on waiting (a server starting, a frame that must come); not speed tests.
START_WAIT = 60
FRAME_WAIT = 10

# The server process: the test settings, but this test's secret key (the sessions are
# signed with it) and channel-layer prefix (each process would draw its own otherwise).
SERVE = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
import django
django.setup()
from django.conf import settings
settings.SECRET_KEY = os.environ.pop("BEACON_TEST_SECRET_KEY")
settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = os.environ["BEACON_TEST_LAYER_PREFIX"]
from daphne.cli import CommandLineInterface
CommandLineInterface().run(["-b", "127.0.0.1", "-p", sys.argv[1], "config.asgi:application"])
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """This test's database (the test database, not the one named in DATABASE_URL)."""
    db = connection.settings_dict
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


class Server:
    def __init__(self) -> None:
        self.port = free_port()
        self.log = tempfile.TemporaryFile()
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "BEACON_TEST_SECRET_KEY": settings.SECRET_KEY,
            "BEACON_TEST_LAYER_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server on {self.port} stopped:\n{self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"server on {self.port} did not start:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(FRAME_WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def two_servers() -> Iterator[tuple[Server, Server]]:
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    assert backend.startswith("channels_redis"), "set REDIS_URL: two servers share Redis"
    servers = (Server(), Server())
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


def open_tab(server: Server, public_id: str, session_key: str) -> ClientConnection:
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
