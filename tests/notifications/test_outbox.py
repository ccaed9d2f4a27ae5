"""The outbox: written with the change, queued after commit, sent once, retried, swept."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from celery.signals import task_retry
from django.db import connection, connections, transaction
from django.utils import timezone

import notifications
from notifications import threads
from notifications.models import Notification
from notifications.outbox import LEASE, MAX_ATTEMPTS, RETRY_BACKOFF_MAX
from notifications.tasks import resend_unsent, send_notification
from tests.notifications.conftest import hello_context, needs_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def run_send(notification_id: int, retries: int = 0):
    """The real task, run in this thread the way a worker runs it (attempt `retries`)."""
    return send_notification.apply(args=[notification_id], retries=retries)


def notify_hello(person, **kwargs) -> Notification:
    with transaction.atomic():
        (row,) = notifications.notify(
            kind="outbox_test.hello", recipient=person, context=hello_context(person), **kwargs
        )
    return row


def test_notify_writes_the_row_in_the_callers_transaction_and_queues_it_after_commit(
    test_kinds, outbox_queue, customer
):
    # when
    with transaction.atomic():
        (row,) = notifications.notify(
            kind="outbox_test.hello", recipient=customer, context=hello_context(customer)
        )
        # then: the row is part of the caller's transaction; nothing is queued yet
        assert Notification.objects.filter(id=row.id, status="pending").exists()
        assert outbox_queue.take() == []
    assert outbox_queue.take() == [
        {"task": "notifications.tasks.send_notification", "args": [row.id]}
    ]


def test_notify_rolled_back_leaves_no_row_and_sends_nothing(
    test_kinds, outbox_queue, smtp_server, customer
):
    # when: the change that caused the notification fails
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.notify(
            kind="outbox_test.hello", recipient=customer, context=hello_context(customer)
        )
        raise RuntimeError("the change failed")
    # then
    assert not Notification.objects.exists()
    assert outbox_queue.take() == []
    assert resend_unsent.apply().result == 0
    assert smtp_server.received == []


def test_send_notification_queued_after_commit_arrives_by_smtp(
    test_kinds, outbox_queue, smtp_server, customer
):
    # given
    row = notify_hello(customer)
    # when: a worker runs what was queued
    for notification_id in outbox_queue.notification_ids():
        assert run_send(notification_id).result == "sent"
    # then
    (message,) = smtp_server.received
    assert message["To"] == customer.email
    assert message["Message-ID"] == threads.message_id(row.id)
    assert message["Message-ID"].endswith("@beacon.test>")
    assert message["Auto-Submitted"] == "auto-generated"  # robots do not answer it
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None


def test_send_notification_run_twice_sends_once(test_kinds, outbox_queue, smtp_server, customer):
    # given
    row = notify_hello(customer)
    # when: the broker delivers the task twice
    first, second = run_send(row.id), run_send(row.id)
    # then
    assert (first.result, second.result) == ("sent", "not claimed")
    assert len(smtp_server.received) == 1
    row.refresh_from_db()
    assert row.attempts == 1


@needs_postgres
def test_send_notification_racing_workers_send_once(
    test_kinds, outbox_queue, smtp_server, customer
):
    # given: eight workers got the same task at the same moment
    row = notify_hello(customer)
    start = threading.Barrier(8)
    results: list[str] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(run_send(row.id).result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(results) == ["not claimed"] * 7 + ["sent"]
    assert len(smtp_server.received) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


@needs_postgres
def test_send_notification_skips_a_row_another_worker_holds(
    test_kinds, outbox_queue, smtp_server, customer
):
    # given: another worker holds the row's lock (mid-claim)
    row = notify_hello(customer)
    results: list[str] = []

    def second_worker() -> None:
        try:
            results.append(run_send(row.id).result)
        finally:
            connections.close_all()

    with transaction.atomic():
        Notification.objects.select_for_update().get(id=row.id)
        # when: a second worker tries meanwhile; SKIP LOCKED means it neither waits nor sends
        thread = threading.Thread(target=second_worker)
        thread.start()
        thread.join()
    # then
    assert results == ["not claimed"]
    assert smtp_server.received == []
    assert run_send(row.id).result == "sent"


def test_send_notification_takes_over_a_claim_whose_worker_died(
    test_kinds, outbox_queue, smtp_server, customer
):
    # given: two rows claimed by workers; one claim is older than the lease
    stale, fresh = notify_hello(customer), notify_hello(customer)
    now = timezone.now()
    Notification.objects.filter(id=stale.id).update(
        status="sending", claimed_at=now - LEASE - timedelta(seconds=1), attempts=1
    )
    Notification.objects.filter(id=fresh.id).update(
        status="sending", claimed_at=now - timedelta(seconds=30), attempts=1
    )
    # when / then: the stale one is sent again, the fresh one is left to its worker
    assert run_send(stale.id).result == "sent"
    assert run_send(fresh.id).result == "not claimed"
    assert len(smtp_server.received) == 1
    stale.refresh_from_db()
    assert (stale.status, stale.attempts) == ("sent", 2)


def test_resend_unsent_requeues_a_row_whose_task_was_lost(
    test_kinds, outbox_queue, smtp_server, customer
):
    # given: the task queued at commit is lost (say Redis restarted without persistence)
    row = notify_hello(customer)
    assert outbox_queue.notification_ids() == [row.id]
    # when: the sweep runs within the grace minute, then after it
    assert resend_unsent.apply().result == 0
    Notification.objects.filter(id=row.id).update(
        next_attempt_at=timezone.now() - timedelta(minutes=2)
    )
    assert resend_unsent.apply().result == 1
    # then: the row is queued again, sent once, and the next sweep leaves it alone
    assert outbox_queue.notification_ids() == [row.id]
    assert run_send(row.id).result == "sent"
    assert len(smtp_server.received) == 1
    Notification.objects.filter(id=row.id).update(
        next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    assert resend_unsent.apply().result == 0


def test_resend_unsent_requeues_a_claim_whose_worker_died(test_kinds, outbox_queue, customer):
    # given: a worker claimed the row and died before marking it
    row = notify_hello(customer)
    outbox_queue.take()
    claimed = timezone.now() - LEASE - timedelta(minutes=2)
    Notification.objects.filter(id=row.id).update(
        status="sending", claimed_at=claimed, next_attempt_at=claimed + LEASE, attempts=1
    )
    # when
    requeued = resend_unsent.apply().result
    # then: queued once, and not again by the very next sweep
    assert requeued == 1
    assert outbox_queue.notification_ids() == [row.id]
    assert resend_unsent.apply().result == 0


@pytest.fixture
def retries_scheduled() -> Iterator[list[float]]:
    """The countdown of every retry Celery schedules (Celery's own task_retry signal)."""
    countdowns: list[float] = []

    def record(sender, reason, **kwargs) -> None:
        countdowns.append(reason.when)

    task_retry.connect(record, sender=send_notification, weak=False)
    yield countdowns
    task_retry.disconnect(record, sender=send_notification)


def test_send_notification_retries_a_failing_mail_server_then_marks_failed(
    test_kinds, outbox_queue, smtp_server, customer, retries_scheduled
):
    # given: the mail server answers "try again later" to every message
    row = notify_hello(customer)
    smtp_server.refusals = ["451 4.3.0 Mailbox busy, try again later"] * MAX_ATTEMPTS
    # when: the task runs, and Celery runs each retry it schedules (at once, in this thread)
    result = run_send(row.id)
    # then: retries with a backoff below the broker's visibility timeout, then it gives up
    assert len(retries_scheduled) == MAX_ATTEMPTS - 1
    assert all(0 <= countdown <= RETRY_BACKOFF_MAX < 3600 for countdown in retries_scheduled)
    assert result.result == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert "451" in row.last_error
    assert smtp_server.received == []
    assert smtp_server.refusals == []  # every attempt reached the server
    assert resend_unsent.apply().result == 0  # failed rows are not swept


def test_send_notification_after_a_failed_attempt_waits_for_its_backoff(
    test_kinds, outbox_queue, smtp_server, customer
):
    # given
    row = notify_hello(customer)
    smtp_server.refusals = ["451 4.3.0 Mailbox busy, try again later"]
    # when: an attempt fails (the service the task calls) and the retry Celery would
    # schedule is lost
    with pytest.raises(notifications.TransientSendError):
        notifications.notification_send(notification_id=row.id, retry_in=120)
    # then: the row is pending, due after its backoff; the sweep waits for that and a minute
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=100)
    assert resend_unsent.apply().result == 0
    Notification.objects.filter(id=row.id).update(
        next_attempt_at=timezone.now() - timedelta(seconds=61)
    )
    assert resend_unsent.apply().result == 1
    assert run_send(row.id).result == "sent"


def test_send_notification_sends_when_the_mail_server_recovers(
    test_kinds, outbox_queue, smtp_server, customer, retries_scheduled
):
    # given
    row = notify_hello(customer)
    smtp_server.refusals = ["421 4.3.2 Service not available"]
    # when
    result = run_send(row.id)
    # then
    assert (result.result, len(retries_scheduled)) == ("sent", 1)
    assert len(smtp_server.received) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)


def test_send_notification_retries_when_the_mail_server_is_unreachable(
    test_kinds, outbox_queue, settings, customer
):
    # given: nothing listens on the mail port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 5
    row = notify_hello(customer)
    # when
    result = run_send(row.id)
    # then: every attempt failed to connect, and the row says so
    assert result.result == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in row.last_error


def test_send_notification_does_not_retry_a_permanent_refusal(
    test_kinds, outbox_queue, smtp_server, customer
):
    # given
    row = notify_hello(customer)
    smtp_server.refusals = ["554 5.7.1 Message rejected"]
    # when
    result = run_send(row.id)
    # then
    assert result.result == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "554" in row.last_error


def test_send_notification_skips_a_row_about_something_gone(
    test_kinds, outbox_queue, smtp_server, customer, user_factory
):
    # given: the notification is about a person deleted before it was sent
    other = user_factory()
    with transaction.atomic():
        (row,) = notifications.notify(
            kind="outbox_test.hello", recipient=customer, context=hello_context(other)
        )
    other.delete()
    # when
    result = run_send(row.id)
    # then
    assert result.result == "skipped"
    row.refresh_from_db()
    assert row.status == "skipped" and "gone" in row.last_error
    assert smtp_server.received == []


def test_resend_sweep_is_in_the_beat_schedule_setting(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-resend-unsent"]
    assert entry == {"task": "notifications.tasks.resend_unsent", "schedule": 60.0}


def test_resend_sweep_is_scheduled_by_celery_beat():
    from config.celery import app

    assert "notifications-resend-unsent" in app.conf.beat_schedule


@needs_postgres
def test_notify_racing_twins_with_one_dedupe_key_make_one_row(test_kinds, outbox_queue, customer):
    # given: two requests notify the same event at once; the first has not committed when
    # the second tries to insert (so the second waits on the unique index, then yields)
    first_wrote, first_may_commit = threading.Event(), threading.Event()
    rows: dict[str, Notification] = {}

    def notify_as(name: str, *, hold: bool) -> None:
        try:
            with transaction.atomic():
                (rows[name],) = notifications.notify(
                    kind="outbox_test.hello",
                    recipient=customer,
                    context=hello_context(customer),
                    dedupe_key="race:1",
                )
                if hold:
                    first_wrote.set()
                    first_may_commit.wait()
        finally:
            connections.close_all()

    first = threading.Thread(target=notify_as, args=("first",), kwargs={"hold": True})
    second = threading.Thread(target=notify_as, args=("second",), kwargs={"hold": False})
    # when
    first.start()
    first_wrote.wait()
    second.start()
    wait_for_a_lock_wait()
    first_may_commit.set()
    first.join()
    second.join()
    # then: one row, both callers got it, one task queued
    assert rows["first"].id == rows["second"].id
    assert Notification.objects.count() == 1
    assert outbox_queue.notification_ids() == [rows["first"].id]


def wait_for_a_lock_wait() -> None:
    """Until some session of this database waits for a row or index lock."""
    deadline = timezone.now() + timedelta(seconds=30)
    while timezone.now() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
    raise AssertionError("the second insert never waited for the first")
