"""Redis stops while a customer files a request; once it is back, the confirmation email
goes out exactly once: the outbox row was written with the ticket, the lost task is
re-queued by the sweep, a real worker sends it to a real SMTP server.

The broker here is a private redis-server of this test (started, stopped and started
again on its own port), so the shared Redis of the other tests keeps running.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from importlib import import_module

import pytest
from celery.contrib.testing.worker import start_worker
from django.apps import apps as django_apps
from django.conf import settings
from kombu import pools

from accounts.models import User
from config.celery import app as celery_app
from notifications.models import Notification
from notifications.tasks import resend_unsent
from tests.notifications.conftest import needs_postgres
from tickets import services
from tickets.models import TicketType

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgres]
# Upper bound on waiting for a server or the worker: a bound on a wait, not a speed test.
WAIT_SECONDS = 30
REDIS = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(WAIT_SECONDS)
            self.process = None


def _use_broker(url: str) -> None:
    """Point the Celery app (producer and worker) at `url`, dropping pooled connections."""
    celery_app.conf.broker_url = url
    pools.reset()  # kombu keeps producer pools per URL; the old ones point at a dead server
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def private_broker() -> Iterator[PrivateRedis]:
    if REDIS is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    redis = PrivateRedis()
    redis.start()
    original = celery_app.conf.broker_url
    _use_broker(redis.url)
    yield redis
    redis.stop()
    _use_broker(original)


def test_confirmation_email_goes_out_once_after_redis_comes_back(private_broker, smtp_server):
    # given: a customer, and the broker down
    import_module("tickets.migrations.0002_ticket_types").create(django_apps, None)
    customer = User.objects.create_user("lin@example.test", "pw-long-enough-1")
    private_broker.stop()
    # when: the request is filed while Redis is down
    ticket = services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Deposit missing",
        body="Please check.",
        field_values={},
    )
    row = Notification.objects.get(kind="ticket.received")
    # then: the ticket and its outbox row are saved; nothing could be sent
    assert row.status == Notification.Status.PENDING and smtp_server.received == []

    # when: Redis is back, a worker runs, and the sweep finds the row a minute later
    private_broker.start()
    _use_broker(private_broker.url)
    Notification.objects.filter(id=row.id).update(
        next_attempt_at=row.next_attempt_at - dt.timedelta(minutes=2)
    )
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=WAIT_SECONDS):
        requeued = resend_unsent()
        assert smtp_server.arrived.wait(WAIT_SECONDS)
        deadline = time.monotonic() + WAIT_SECONDS
        while row.status != Notification.Status.SENT and time.monotonic() < deadline:
            time.sleep(0.05)
            row.refresh_from_db()
        # and the sweep runs again, as beat makes it do every minute
        requeued_again = resend_unsent()
    # then: exactly one email
    assert requeued == 1 and requeued_again == 0
    assert row.status == Notification.Status.SENT and row.attempts == 1
    (message,) = smtp_server.received
    assert message["To"] == customer.email and ticket.number in message["Subject"]
    assert settings.CELERY_TASK_DEFAULT_QUEUE.startswith("celery-run")
