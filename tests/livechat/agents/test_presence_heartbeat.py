"""Presence that tells the truth: an agent whose server process dies without closing their
socket goes offline from their last heartbeat, and their chats return to the queue once
the grace period after it is over (issue 16).

Before, the socket count in Redis stayed up: the agent looked online for up to a day and
their chats were never requeued. Tested as it runs: a web process (uvicorn) on the test
database, the agent's console socket from this test, the process killed with SIGKILL.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from websockets.sync.client import connect

from livechat.models import AgentPresence, Conversation
from livechat.services.presence import (
    grace_seconds,
    presence_expire,
    presence_heartbeat,
    requeue_abandoned,
    stale_seconds,
)
from livechat.tasks import requeue_abandoned as requeue_task
from tests.servers import AsgiServer

# A bound on waiting for a frame that must come; not a speed test.
FRAME_WAIT = 10


def _session_cookie(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"sessionid={store.session_key}"


@pytest.mark.django_db(transaction=True)
def test_an_agent_whose_server_dies_goes_offline_and_their_chat_returns_to_the_queue(
    agent_factory, chat_factory
):
    # given: Mei, online in the console of a server, with a chat of hers
    mei = agent_factory(name="Mei", status=AgentPresence.Status.OFFLINE)
    chat = chat_factory(status=Conversation.Status.ACTIVE, agent=mei)
    server = AsgiServer(BEACON_CHAT_HEARTBEAT_SECONDS="1")
    try:
        server.wait_ready()
        with connect(
            server.url.replace("http://", "ws://") + "/ws/chat/agent/",
            origin=server.url,
            additional_headers={"Cookie": _session_cookie(mei)},
            open_timeout=FRAME_WAIT,
            close_timeout=1,  # its server is dead by then: no closing handshake comes
        ) as socket:
            hello = json.loads(socket.recv(timeout=FRAME_WAIT))
            assert (hello["type"], hello["status"]) == ("presence.update", "online")
            # and while her socket is open it beats (her last_seen moves on)
            connected_at = AgentPresence.objects.get(agent=mei).last_seen
            deadline = time.monotonic() + FRAME_WAIT
            while AgentPresence.objects.get(agent=mei).last_seen == connected_at:
                assert time.monotonic() < deadline, "the socket never beat"
                time.sleep(0.2)
            # when: the server process dies without closing her socket
            server.process.kill()
            server.process.wait()
    finally:
        server.stop()
    # then: nothing said goodbye, so she still looks online ...
    presence = AgentPresence.objects.get(agent=mei)
    assert presence.status == AgentPresence.Status.ONLINE
    last_beat = presence.last_seen
    # ... until her socket has missed its heartbeats: then she is offline from her last one
    assert presence_expire(now=last_beat + dt.timedelta(seconds=stale_seconds() - 1)) == 0
    assert presence_expire(now=last_beat + dt.timedelta(seconds=stale_seconds() + 1)) == 1
    presence.refresh_from_db()
    assert (presence.status, presence.disconnected_at) == ("offline", last_beat)
    # and her chat goes back to the queue once the grace period after that beat is over
    within = last_beat + dt.timedelta(seconds=grace_seconds() - 1)
    assert requeue_abandoned(now=within) == (0, 0)
    past = last_beat + dt.timedelta(seconds=grace_seconds() + 1)
    assert requeue_abandoned(now=past) == (1, 1)
    chat.refresh_from_db()
    assert (chat.status, chat.agent_id) == ("queued", None)


@pytest.mark.django_db
def test_a_beating_agent_stays_online_and_the_sweep_expires_only_the_silent(agent_factory):
    # given: two agents online; Lin's sockets stopped beating two minutes ago
    mei, lin = agent_factory(name="Mei"), agent_factory(name="Lin")
    AgentPresence.objects.filter(agent=lin).update(
        last_seen=timezone.now() - dt.timedelta(minutes=2)
    )
    AgentPresence.objects.filter(agent=mei).update(
        last_seen=timezone.now() - dt.timedelta(minutes=2)
    )
    # when: Mei's socket beats, and beat's sweep runs
    presence_heartbeat(agent=mei)
    requeue_task()
    # then: Lin is offline, Mei is still online; a second sweep changes nothing
    assert AgentPresence.objects.get(agent=lin).status == "offline"
    assert AgentPresence.objects.get(agent=mei).status == "online"
    assert presence_expire() == 0
