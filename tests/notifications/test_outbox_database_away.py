"""The outbox when PostgreSQL goes away mid-send: the claim is retried by the task, the
"sent" after the mail server's accept is retried on a new connection (never the send),
and when the database stays away the accept is kept in the cache, where the next claim
finds it. The failures are real broken connections: a query of the chosen kind closes
the socket under Django and raises what psycopg would. (The same with a real PostgreSQL
stopped and started: tests/faults.)"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from celery.signals import task_retry
from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.utils import timezone

import notifications
from notifications import outbox
from notifications.models import Notification
from notifications.tasks import send_notification
from tests.notifications.conftest import hello_context

pytestmark = pytest.mark.django_db(transaction=True)


def notify_hello(person) -> Notification:
    with transaction.atomic():
        (row,) = notifications.notify(
            kind="outbox_test.hello", recipient=person, context=hello_context(person)
        )
    return row


def run_send(notification_id: int):
    """The real task, in this thread, the way a worker runs it (retries run at once)."""
    return send_notification.apply(args=[notification_id])


class DatabaseDrops:
    """Breaks this thread's connection on the queries `matches` picks, `times` times:
    the socket closes under Django and the query raises OperationalError."""

    def __init__(self, matches: Callable[[str, tuple], bool], times: int) -> None:
        self.matches, self.times = matches, times
        self.dropped = 0
        self.tried = 0

    def __call__(self, execute, sql, params, many, context):
        if self.matches(sql, tuple(params or ())):
            self.tried += 1
            if self.dropped < self.times:
                self.dropped += 1
                context["connection"].connection.close()  # the raw psycopg connection
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


def claiming(sql: str, params: tuple) -> bool:
    return "FOR UPDATE" in sql and '"accounts_notification"' in sql


def marking_sent(sql: str, params: tuple) -> bool:
    return sql.startswith('UPDATE "accounts_notification"') and params[:1] == ("sent",)


@pytest.fixture
def drops() -> Iterator[Callable[..., DatabaseDrops]]:
    installed = []

    def install(matches, times: int) -> DatabaseDrops:
        wrapper = DatabaseDrops(matches, times)
        connection.execute_wrappers.append(wrapper)
        installed.append(wrapper)
        return wrapper

    yield install
    for wrapper in installed:
        connection.execute_wrappers.remove(wrapper)
    connection.close()  # a connection a test left broken is not the next test's


@pytest.fixture
def retries_scheduled() -> Iterator[list[str]]:
    reasons: list[str] = []

    def record(sender, reason, **kwargs) -> None:
        reasons.append(type(reason.exc).__name__)

    task_retry.connect(record, sender=send_notification, weak=False)
    yield reasons
    task_retry.disconnect(record, sender=send_notification)


@pytest.fixture
def short_bookkeeping(monkeypatch) -> None:
    """The bookkeeping's retries end after a fraction of a second, not half a minute."""
    monkeypatch.setattr(outbox, "BOOKKEEPING_SECONDS", 0.6)


def lease_runs_out(row: Notification) -> None:
    Notification.objects.filter(id=row.id).update(
        claimed_at=timezone.now() - outbox.LEASE - timedelta(minutes=1),
        next_attempt_at=timezone.now() - timedelta(minutes=2),
    )


def test_a_claim_the_database_drops_is_retried_by_the_task(
    test_kinds, outbox_queue, smtp_server, customer, drops, retries_scheduled
):
    # given: the database drops the connection the first time the row is claimed
    row = notify_hello(customer)
    drop = drops(claiming, times=1)
    # when
    result = run_send(row.id)
    # then: the task retried (Celery's backoff) on a new connection, and sent once
    assert (result.result, retries_scheduled, drop.dropped) == ("sent", ["OperationalError"], 1)
    assert len(smtp_server.received) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


def test_the_sent_mark_is_retried_on_a_new_connection_not_the_send(
    test_kinds, outbox_queue, smtp_server, customer, drops, retries_scheduled
):
    # given: the database drops the connection twice as the worker records "sent"
    row = notify_hello(customer)
    drop = drops(marking_sent, times=2)
    # when
    result = run_send(row.id)
    # then: one email, recorded by the third try; the task itself did not retry
    assert (result.result, retries_scheduled) == ("sent", [])
    assert (drop.dropped, drop.tried) == (2, 3)
    assert len(smtp_server.received) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert run_send(row.id).result == "not claimed"
    assert len(smtp_server.received) == 1


def test_a_sent_mark_committed_whose_answer_was_lost_is_not_a_lost_claim(
    test_kinds, outbox_queue, smtp_server, customer, drops, caplog
):
    # given: the "sent" update commits, and the connection breaks before its answer
    row = notify_hello(customer)
    state = {"committed": False}

    def commit_then_drop(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if marking_sent(sql, tuple(params or ())) and not state["committed"]:
            state["committed"] = True
            context["connection"].connection.close()
            raise OperationalError("server closed the connection unexpectedly")
        return result

    connection.execute_wrappers.append(commit_then_drop)
    try:
        # when
        with caplog.at_level(logging.ERROR, logger="notifications.outbox"):
            result = run_send(row.id)
    finally:
        connection.execute_wrappers.remove(commit_then_drop)
    # then: the retry finds the row already sent by this claim
    assert result.result == "sent"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    row.refresh_from_db()
    assert row.status == "sent"
    assert len(smtp_server.received) == 1


def test_when_the_database_stays_away_the_next_claim_marks_the_row_sent_from_the_cache(
    test_kinds, outbox_queue, smtp_server, customer, drops, retries_scheduled, short_bookkeeping
):
    # given: every try to record "sent" fails, past the bookkeeping's time
    row = notify_hello(customer)
    drop = drops(marking_sent, times=10_000)
    # when: the task sends; then the database is back, the lease runs out, and the
    # sweep's task claims the row again
    result = run_send(row.id)
    drop.times = 0
    row.refresh_from_db()
    status_meanwhile = row.status
    lease_runs_out(row)
    second = run_send(row.id)
    # then: the first run gave up retrying after a bounded number of tries, without a
    # task retry (the email went); the second found the record and sent nothing
    assert (result.result, retries_scheduled) == ("sent", [])
    assert 1 < drop.tried < 10
    assert status_meanwhile == "sending"
    assert second.result == "sent before"
    assert len(smtp_server.received) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert row.sent_at is not None
    assert run_send(row.id).result == "not claimed"


def test_the_task_deadline_ends_the_bookkeeping_retries(
    test_kinds, outbox_queue, smtp_server, customer, drops
):
    # given: a database that stays away, and a deadline (the task's soft time limit)
    # already reached when the send is done
    row = notify_hello(customer)
    drop = drops(marking_sent, times=10_000)
    # when
    result = outbox.notification_send(notification_id=row.id, retry_in=30, deadline=0.0)
    # then: one try, then the record in the cache
    assert (result, drop.tried) == ("sent", 1)
    row.refresh_from_db()
    assert cache.get(outbox._accept_key(row)) is not None


def test_a_lapsed_claim_without_a_record_is_sent_again(
    test_kinds, outbox_queue, smtp_server, customer
):
    # given: a worker claimed the row and died before sending (no record anywhere)
    row = notify_hello(customer)
    Notification.objects.filter(id=row.id).update(
        status="sending", attempts=1, claimed_at=timezone.now()
    )
    lease_runs_out(row)
    # when / then
    assert run_send(row.id).result == "sent"
    assert len(smtp_server.received) == 1


class CacheAway:
    def get(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    set = get


def test_a_lapsed_claim_is_not_taken_while_the_cache_cannot_say_whether_it_was_sent(
    test_kinds, outbox_queue, smtp_server, customer, monkeypatch
):
    # given: a lapsed claim, and Redis (the cache) away
    row = notify_hello(customer)
    Notification.objects.filter(id=row.id).update(
        status="sending", attempts=1, claimed_at=timezone.now()
    )
    lease_runs_out(row)
    monkeypatch.setattr(outbox, "cache", CacheAway())
    # when
    with pytest.raises(notifications.TransientSendError):
        outbox.notification_send(notification_id=row.id, retry_in=30)
    # then: nothing sent, the row as it was, for a later try
    assert smtp_server.received == []
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sending", 1)
    # ... and once the cache answers, it is sent
    monkeypatch.undo()
    assert run_send(row.id).result == "sent"
    assert len(smtp_server.received) == 1


def test_a_pending_row_is_sent_while_the_cache_is_away(
    test_kinds, outbox_queue, smtp_server, customer, monkeypatch
):
    # given: Redis is away (the cache is only asked about lapsed claims)
    row = notify_hello(customer)
    monkeypatch.setattr(outbox, "cache", CacheAway())
    # when / then
    assert run_send(row.id).result == "sent"
    assert len(smtp_server.received) == 1


def test_a_connection_that_breaks_at_quit_after_the_accept_is_not_sent_again(
    test_kinds, outbox_queue, smtp_server, customer, monkeypatch, retries_scheduled
):
    # given: the mail server accepts the message, then the connection resets at QUIT
    row = notify_hello(customer)

    def quit_fails(self):
        raise ConnectionResetError(104, "Connection reset by peer")

    monkeypatch.setattr(smtplib.SMTP, "quit", quit_fails)
    # when
    result = run_send(row.id)
    # then
    assert (result.result, retries_scheduled) == ("sent", [])
    assert len(smtp_server.received) == 1
    row.refresh_from_db()
    assert row.status == "sent"
