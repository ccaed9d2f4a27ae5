"""The whole way: notify, commit, the real broker, a real Celery worker, a real SMTP server."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

import notifications
from config.celery import app as celery_app
from notifications.models import Notification
from tests.notifications.conftest import hello_context, needs_postgres

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgres]

# Upper bound on waiting for the worker: a bound on a wait, not a speed requirement.
WAIT_SECONDS = 30


def wait_until_sent(row: Notification) -> str:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if row.status in {"sent", "failed"}:
            break
        time.sleep(0.05)
    return row.status


def test_outbox_sends_through_a_real_worker_after_commit(
    test_kinds, outbox_queue, smtp_server, customer
):
    # given: a worker consuming this run's queue, as `celery worker` does in production
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=WAIT_SECONDS):
        # when: a change commits with its notification
        with transaction.atomic():
            (row,) = notifications.notify(
                kind="outbox_test.hello",
                recipient=customer,
                context=hello_context(customer),
                dedupe_key="worker:1",
            )
        # then: the task went through the broker as JSON, and the email arrived once
        assert smtp_server.arrived.wait(WAIT_SECONDS)
        assert wait_until_sent(row) == "sent"
    (message,) = smtp_server.received
    assert message["To"] == customer.email
    assert row.attempts == 1
