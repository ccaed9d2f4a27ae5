"""Scaling out on one machine: two web processes and two Celery workers behind nginx
(deploy/nginx/, round robin), as the compose file and the Kubernetes manifests run more of
each. One customer's session, chat and notifications must not depend on which process
serves her: sessions live in the database, chat frames cross processes through Redis, and
an outbox row is sent once however many workers see its task.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from websockets.sync.client import ClientConnection, connect

from accounts.models import KnownDevice, SecurityEvent, User
from livechat.models import Conversation
from livechat.services.presence import presence_for
from notifications.models import Notification
from notifications.tasks import send_notification
from tests.deploy.proxy import SERVER_HEADER, WAIT, Worker, stop_all
from tests.livechat.test_two_servers import (
    Listener,
    agent_with_authenticator,
    message_numbered,
    of_type,
    two_factor_session,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-long-enough-1"
FRAME_WAIT = 10  # a bound on waiting for a frame that must come; not a speed test
OLD_NETWORK = "198.51.100.0/24"


@pytest.fixture
def workers(smtp_server) -> Iterator[list[Worker]]:
    """Two `celery worker` processes on this run's queue, mailing the SMTP sink."""
    email_url = f"smtp://127.0.0.1:{settings.EMAIL_PORT}"
    started = [Worker(f"deploy-{n}", email_url=email_url) for n in (1, 2)]
    try:
        for worker in started:
            worker.wait_ready()
        yield started
    finally:
        stop_all(started)


def wait_until(predicate, what: str, evidence=lambda: ""):
    """Poll until `predicate()` is truthy; a bound on the wait, not a timing."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}\n{evidence()}")


def task_results(workers: list[Worker], task_id: str) -> list[str]:
    """What the workers logged as the result of task `task_id` (one entry per run)."""
    pattern = re.compile(rf"\[{re.escape(task_id)}\] succeeded in [\d.]+s: '([^']*)'")
    return [result for worker in workers for result in pattern.findall(worker.output())]


def copies_of(sink, notification: Notification) -> int:
    prefix = f"<n{notification.pk}."
    return sum(str(message["Message-ID"]).startswith(prefix) for message in sink.received)


def sign_in_through_the_proxy(browser: httpx.Client, origin: str, email: str) -> str:
    """allauth's form, as a browser fills it in; returns the server that signed her in."""
    form = browser.get("/accounts/login/")
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    signed_in = browser.post(
        "/accounts/login/",
        data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        # A browser's headers, and one an attacker adds to look like her usual network
        headers={
            "Origin": origin,
            "Referer": f"{origin}/accounts/login/",
            "X-Forwarded-For": "198.51.100.7",
        },
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    assert signed_in.headers["location"] == "/"
    return signed_in.headers[SERVER_HEADER]


def open_socket(stack, path: str, session_key: str) -> ClientConnection:
    return connect(
        f"wss://127.0.0.1:{stack.proxy.https_port}{path}",
        ssl=stack.tls(),
        origin=stack.proxy.origin,
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"},
        open_timeout=FRAME_WAIT,
    )


def open_and_locate(stack, path: str, session_key: str) -> tuple[ClientConnection, str]:
    """Open a websocket through the proxy; returns it and the web process that took it
    (the one whose access log gained a WSCONNECT for `path`)."""
    before = {web.name: web.sockets_accepted(path) for web in stack.webs}
    socket = open_socket(stack, path, session_key)
    server = wait_until(
        lambda: next(
            (web.name for web in stack.webs if web.sockets_accepted(path) > before[web.name]),
            None,
        ),
        f"a web process to accept {path}",
    )
    return socket, server


def test_one_customer_is_served_consistently_by_two_web_processes_and_two_workers(
    stack, workers, smtp_server
):
    # given: Mei, who has signed in before from another browser and network
    mei = User.objects.create_user("mei@example.test", PASSWORD)
    EmailAddress.objects.create(user=mei, email=mei.email, verified=True, primary=True)
    KnownDevice.objects.create(user=mei, device_hash="0" * 64, network=OLD_NETWORK)

    with httpx.Client(base_url=stack.proxy.url, http2=True, verify=stack.tls()) as browser:
        # when: she signs in through the proxy
        signed_in_by = sign_in_through_the_proxy(browser, stack.proxy.origin, mei.email)
        # then: her session holds on both web processes, request after request
        pages = [browser.get("/requests/") for _ in range(4)]
        assert [page.status_code for page in pages] == [200] * 4
        assert {page.headers[SERVER_HEADER] for page in pages} == {"a", "b"}
        assert signed_in_by in {"a", "b"}

        # and: the sign-in is recorded from the address nginx saw, not the one she sent
        sign_in = SecurityEvent.objects.get(user=mei, kind=SecurityEvent.Kind.SIGN_IN)
        assert sign_in.ip == "127.0.0.1"
        new_device = SecurityEvent.objects.get(user=mei, kind=SecurityEvent.Kind.NEW_DEVICE)
        alert = Notification.objects.get(recipient=mei, channel=Notification.Channel.EMAIL)
        # and: one of the two workers emails the new-device alert, once
        wait_until(
            lambda: Notification.objects.get(pk=alert.pk).status == Notification.Status.SENT,
            "the new-device alert to be sent",
        )
        assert copies_of(smtp_server, alert) == 1
        assert new_device.detail.get("new_network") is True

        # when: its task is queued four times more (a sweep's re-queue, a redelivery),
        # for both workers to take
        extra = [send_notification.delay(alert.pk).id for _ in range(4)]

        # then: each run finds the row sent and sends nothing
        def all_ran() -> list[list[str]] | None:
            found = [task_results(workers, task_id) for task_id in extra]
            return found if all(found) else None

        results = wait_until(
            all_ran,
            "the re-queued tasks to run",
            lambda: "\n".join(worker.output()[-3000:] for worker in workers),
        )
        assert [len(runs) for runs in results] == [1, 1, 1, 1]
        assert all(runs[0] != "sent" for runs in results), results
        assert copies_of(smtp_server, alert) == 1
        alert.refresh_from_db()
        assert (alert.status, alert.attempts) == (Notification.Status.SENT, 1)

        # given: a chat Mei started from the page
        started = browser.post(
            "/chat/start",
            data={"language": "en"},
            headers={"X-CSRFToken": browser.cookies["csrftoken"], "Origin": stack.proxy.origin},
        )
        assert started.status_code == 200, started.text[:2000]
        public_id = started.json()["conversation"]
        path = f"/ws/chat/{public_id}/"
        session_key = browser.cookies[settings.SESSION_COOKIE_NAME]
        # and: Sam, an agent with room for a chat, whose console is open through the proxy
        sam, sams_app = agent_with_authenticator("sam@example.test", name="Sam")
        presence = presence_for(sam)
        presence.languages, presence.skills, presence.capacity = ["en"], ["general"], 2
        presence.save()
        raw, agents_server = open_and_locate(
            stack, "/ws/chat/agent/", two_factor_session(sam, sams_app)
        )
        with raw:
            agent = Listener(raw)
            agent.until(of_type("queue.snapshot"))
            # when: Mei's chat socket opens, on the other web process (round robin gives
            # the next connection to the next one; if ever not, she reconnects)
            for _ in range(3):
                tab, customers_server = open_and_locate(stack, path, session_key)
                if customers_server != agents_server:
                    break
                with tab:
                    pass  # closed
            assert customers_server != agents_server
            with tab:
                customer = Listener(tab)
                customer.until(message_numbered(1))  # the bot's greeting
                # when: she asks for a person
                customer.send({"type": "handoff"})
                # then: Sam's console, on the other process, is given the chat
                assigned = agent.last(of_type("chat.assigned"))["conversation"]
                assert assigned["id"] == public_id
                customer.until(of_type("conversation.update", status="active"))
                # when: she writes through her process
                body = "My deposit has not arrived"
                customer.send({"type": "message.send", "client_id": "m-1", "body": body})
                sent_id = customer.last(of_type("message.ack", client_id="m-1"))["id"]
                # then: Sam hears it on his
                heard = agent.last(message_numbered(sent_id))["message"]
                assert (heard["sender"], heard["body"]) == ("customer", body)
                # when: Sam answers on his; then she hears it on hers
                reply = "Hello Mei, which coin was it?"
                agent.send(
                    {
                        "type": "message.send",
                        "conversation": public_id,
                        "client_id": "s-1",
                        "body": reply,
                    }
                )
                reply_id = agent.last(of_type("message.ack", client_id="s-1"))["id"]
                heard = customer.last(message_numbered(reply_id))["message"]
                assert (heard["sender"], heard["body"]) == ("agent", reply)
                assert agent.last(message_numbered(reply_id))["message"]["body"] == reply

    # and: each message is stored once, and each side heard each one once
    conversation = Conversation.objects.get(public_id=public_id)
    bodies = list(conversation.messages.values_list("body", flat=True))
    assert [bodies.count(text) for text in (body, reply)] == [1, 1]
    for side in (customer, agent):
        heard = [message["id"] for message in side.messages()]
        assert len(heard) == len(set(heard)) and {sent_id, reply_id} <= set(heard)
