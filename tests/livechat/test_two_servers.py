"""Two ASGI server processes sharing Redis: a frame sent to one reaches a socket on the
other. This is how Beacon scales out (DESIGN.md, Runtime), so it is tested as it runs:
two web processes (uvicorn) on the test database, real websockets between them and this test.

Two stories cross the servers: one customer with a tab on each, and the case issue 6
names, the customer on one server and the agent's console socket (`/ws/chat/agent/`,
signed in with a password and an authenticator app, as staff must) on the other: the
hand-off, the replies both ways, typing and read receipts, and an internal note that
stays on the agent's side.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pyotp
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from websockets.sync.client import ClientConnection, connect

from accounts.models import Role, User
from accounts.services import user_role_grant
from livechat.models import ChatMessage
from livechat.services.conversations import conversation_start
from livechat.services.presence import presence_for
from tests.servers import AsgiServer

pytestmark = pytest.mark.django_db(transaction=True)

# A bound on waiting for a frame that must come; not a speed test.
FRAME_WAIT = 10
PASSWORD = "pw-long-enough-1"

Frame = dict
Wanted = Callable[[Frame], bool]


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


def agent_with_authenticator(email: str, *, name: str) -> tuple[User, pyotp.TOTP]:
    """An agent as the console wants them: verified email, agent role (which makes them
    staff), and 2FA (an authenticator app); returns the agent and their app."""
    agent = User.objects.create_user(email, PASSWORD, first_name=name)
    EmailAddress.objects.create(user=agent, email=email, verified=True, primary=True)
    user_role_grant(user=agent, role=Role.AGENT)
    secret = generate_totp_secret()
    TOTP.activate(agent, secret)
    return agent, pyotp.TOTP(secret)


def two_factor_session(agent: User, app: pyotp.TOTP) -> str:
    """The session of a real sign-in through allauth: the password, then the app's code.

    Signed in, not forced in, so the session carries what a 2FA sign-in records."""
    browser = Client()
    password_step = browser.post("/accounts/login/", {"login": agent.email, "password": PASSWORD})
    assert password_step.get("Location") == "/accounts/2fa/authenticate/", "no 2FA step"
    code_step = browser.post("/accounts/2fa/authenticate/", {"code": app.now()})
    assert code_step.status_code == 302, "the 2FA step did not sign the agent in"
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


def open_socket(server: AsgiServer, path: str, session_key: str) -> ClientConnection:
    return connect(
        f"ws://127.0.0.1:{server.port}{path}",
        origin=f"http://127.0.0.1:{server.port}",
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"},
        open_timeout=FRAME_WAIT,
    )


def open_tab(server: AsgiServer, public_id: str, session_key: str) -> ClientConnection:
    return open_socket(server, f"/ws/chat/{public_id}/", session_key)


def frames_until(tab: ClientConnection, wanted: Wanted) -> list[Frame]:
    """Frames in order up to and including the first one `wanted` accepts."""
    seen = []
    while True:
        frame = json.loads(tab.recv(timeout=FRAME_WAIT))
        seen.append(frame)
        if wanted(frame):
            return seen


def of_type(kind: str, **fields) -> Wanted:
    """Accepts a frame of type `kind` whose top-level fields include `fields`."""
    return lambda frame: (
        frame["type"] == kind and all(frame.get(key) == value for key, value in fields.items())
    )


def message_numbered(number: int) -> Wanted:
    return lambda frame: frame["type"] == "message.new" and frame["message"]["id"] == number


class Listener:
    """A socket that keeps every frame it has received, to check afterwards that no
    message came twice."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.heard: list[Frame] = []

    def send(self, frame: Frame) -> None:
        self.connection.send(json.dumps(frame))

    def until(self, wanted: Wanted) -> list[Frame]:
        frames = frames_until(self.connection, wanted)
        self.heard.extend(frames)
        return frames

    def last(self, wanted: Wanted) -> Frame:
        return self.until(wanted)[-1]

    def messages(self) -> list[dict]:
        return [frame["message"] for frame in self.heard if frame["type"] == "message.new"]


def test_a_message_sent_through_one_server_reaches_a_socket_on_the_other(two_servers):
    # given: Mei's chat, open in one tab on each server
    first, second = two_servers
    mei = User.objects.create_user("mei@example.test", PASSWORD)
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


def test_the_customer_on_one_server_and_the_agent_on_the_other_talk_both_ways(two_servers):
    server_a, server_b = two_servers
    # given: Sam, an English-speaking agent with room for two chats, signed in with 2FA
    # and with the console open on server B
    sam, sams_app = agent_with_authenticator("sam@example.test", name="Sam")
    presence = presence_for(sam)
    presence.languages, presence.skills, presence.capacity = ["en"], ["general"], 2
    presence.save()
    with open_socket(server_b, "/ws/chat/agent/", two_factor_session(sam, sams_app)) as console:
        agent = Listener(console)
        hello = agent.last(of_type("presence.update"))
        assert hello["status"] == "online" and hello["staff_id"] == presence.staff_id
        staff_id = hello["staff_id"]
        assert agent.last(of_type("queue.snapshot"))["waiting"] == []
        # and: Mei, signed in, chatting with the bot on server A
        mei = User.objects.create_user("mei@example.test", PASSWORD)
        mei_key = signed_in_session(mei)
        conversation = conversation_start(user=mei, session_key=mei_key, language="en")
        public_id = str(conversation.public_id)
        with open_tab(server_a, public_id, mei_key) as tab:
            customer = Listener(tab)
            assert customer.last(of_type("hello"))["conversation"]["agent"] is None
            assert customer.last(message_numbered(1))["message"]["sender"] == "bot"

            # when: she asks for a person on A
            customer.send({"type": "handoff"})
            # then: Sam, online with room, is given the chat on B, and A tells Mei who he is
            assigned = agent.last(of_type("chat.assigned"))["conversation"]
            assert assigned["id"] == public_id and assigned["status"] == "active"
            joined = customer.last(of_type("conversation.update", status="active"))
            assert joined["agent"] == {"name": "Sam", "staff_id": staff_id}
            conversation.refresh_from_db()
            assert conversation.agent == sam and conversation.last_seq == assigned["last_id"]

            # when: Sam opens the chat on B; then he gets its history, up to the last message
            agent.send({"type": "chat.open", "conversation": public_id, "after": 0})
            frames = agent.until(message_numbered(assigned["last_id"]))
            history = [f for f in frames if f["type"] == "message.new"]
            assert [f["message"]["id"] for f in history] == list(range(1, assigned["last_id"] + 1))
            assert all(f["conversation"] == public_id for f in history)
            assert staff_id in history[-1]["message"]["body"]  # "Sam (staff ID …) has joined"

            # when: Sam types on B; then Mei sees it on A
            agent.send({"type": "typing", "conversation": public_id, "on": True})
            assert customer.last(of_type("typing")) == {
                "type": "typing",
                "from": "agent",
                "on": True,
            }

            # when: Sam replies on B
            reply_text = "Hello Mei, I'm Sam. Which deposit is it?"
            agent.send(
                {
                    "type": "message.send",
                    "conversation": public_id,
                    "client_id": "sam-1",
                    "body": reply_text,
                }
            )
            ack = agent.last(of_type("message.ack", client_id="sam-1"))
            assert ack["conversation"] == public_id
            reply_id = ack["id"]
            # then: Mei gets it on A, with Sam's staff ID to check; Sam's console shows it too
            reply = customer.last(message_numbered(reply_id))["message"]
            assert (reply["sender"], reply["author"], reply["staff_id"], reply["body"]) == (
                "agent",
                "Sam",
                staff_id,
                reply_text,
            )
            assert agent.last(message_numbered(reply_id))["message"]["body"] == reply_text

            # when: Sam leaves an internal note on B (it must stay on the agents' side)
            note_text = "Customer says a deposit is missing; check the chain first."
            agent.send(
                {
                    "type": "message.send",
                    "conversation": public_id,
                    "client_id": "sam-note-1",
                    "body": note_text,
                    "internal": True,
                }
            )
            note_id = agent.last(of_type("message.ack", client_id="sam-note-1"))["id"]
            assert agent.last(message_numbered(note_id))["message"]["internal"] is True

            # when: Mei reads Sam's reply on A; then Sam sees the read receipt on B
            customer.send({"type": "read", "up_to": reply_id})
            assert agent.last(of_type("read")) == {
                "type": "read",
                "conversation": public_id,
                "by": "customer",
                "up_to": reply_id,
            }
            # when: Mei types on A; then Sam sees it on B, naming the chat
            customer.send({"type": "typing", "on": True})
            assert agent.last(of_type("typing")) == {
                "type": "typing",
                "conversation": public_id,
                "from": "customer",
                "on": True,
            }

            # when: Mei answers on A
            answer_text = "The 0.5 BTC one from yesterday."
            customer.send({"type": "message.send", "client_id": "mei-1", "body": answer_text})
            answer_id = customer.last(of_type("message.ack", client_id="mei-1"))["id"]
            assert answer_id > note_id
            # then: her answer reaches Sam on B (and her own tab on A)
            answer = agent.last(message_numbered(answer_id))["message"]
            assert (answer["sender"], answer["body"]) == ("customer", answer_text)
            assert customer.last(message_numbered(answer_id))["message"]["body"] == answer_text

            # when: Sam reads her answer on B; then Mei sees the read receipt on A
            agent.send({"type": "read", "conversation": public_id, "up_to": answer_id})
            assert customer.last(of_type("read")) == {
                "type": "read",
                "by": "agent",
                "up_to": answer_id,
            }
            # (Sam asks for the queue last: its answer comes after every frame above, so a
            # doubled message would already be among what his console heard)
            agent.send({"type": "queue.refresh"})
            agent.until(of_type("queue.snapshot"))

    # then: each side saw every message it may see exactly once, in order; Mei never saw
    # the internal note
    public = list(
        conversation.messages.filter(visibility=ChatMessage.Visibility.PUBLIC)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    everything = list(conversation.messages.order_by("seq").values_list("seq", flat=True))
    assert [m["id"] for m in customer.messages()] == public
    assert [m["id"] for m in agent.messages()] == everything == list(range(1, answer_id + 1))
    assert note_id not in public
    assert all(note_text not in json.dumps(frame) for frame in customer.heard)
    # and: nothing was stored twice
    bodies = list(conversation.messages.values_list("body", flat=True))
    assert [bodies.count(text) for text in (reply_text, note_text, answer_text)] == [1, 1, 1]
