"""Emails in batches (notifications.batch): queued as one task per batch by notify_many,
claimed together, sent over one SMTP connection, marked in one UPDATE; each row still sent
once, a refusal or a bounce costing only its own row, a mail server away putting the
batch back for a retry."""

from __future__ import annotations

import threading

import pytest
from celery.signals import task_retry
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from notifications import Note, notify_many
from notifications.batch import BATCH_SIZE, notifications_send_batch
from notifications.contexts import load_or_obsolete, preloaded
from notifications.errors import NotificationObsolete
from notifications.models import BouncingAddress, Notification
from notifications.outbox import MAX_ATTEMPTS
from notifications.tasks import send_notifications
from tests.notifications.conftest import hello_context, needs_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def people(user_factory, count: int) -> list[User]:
    return [user_factory(email=f"person{n}@example.test") for n in range(count)]


def write_emails(persons: list[User], key: str = "batch") -> list[Notification]:
    with transaction.atomic():
        return notify_many(
            Note(
                kind="outbox_test.hello",
                recipient=person,
                context=hello_context(person, number=f"240101-{n:06d}"),
                dedupe_key=f"{key}:{person.id}",
                channels=("email",),
            )
            for n, person in enumerate(persons)
        )


class SessionCount:
    """The SMTP sessions the sink's deliveries came over (each its own client port)."""

    def __init__(self, sink) -> None:
        self.peers: set[tuple] = set()
        self._original = sink.handle_DATA
        sink.handle_DATA = self._data

    async def _data(self, server, session, envelope):
        self.peers.add(tuple(session.peer))
        return await self._original(server, session, envelope)

    @property
    def sessions(self) -> int:
        return len(self.peers)


def test_notify_many_queues_one_task_per_batch_of_emails(test_kinds, outbox_queue, user_factory):
    # when
    rows = write_emails(people(user_factory, 3))
    # then: one send_notifications task carries the three ids
    assert outbox_queue.take() == [
        {"task": "notifications.tasks.send_notifications", "args": [[row.id for row in rows]]}
    ]


def test_a_batch_goes_over_one_smtp_connection_and_is_marked_at_once(
    test_kinds, outbox_queue, smtp_server, user_factory
):
    # given
    sessions = SessionCount(smtp_server)
    persons = people(user_factory, 12)
    rows = write_emails(persons)
    # when
    with CaptureQueriesContext(connection) as captured:
        result = send_notifications.apply(args=[[row.id for row in rows]]).result
    # then: every email arrived, in its recipient's name, over one session
    assert result == {"sent": 12, "skipped": 0, "failed": 0, "retry": 0, "not claimed": 0}
    assert sorted(message["To"] for message in smtp_server.received) == sorted(
        person.email for person in persons
    )
    assert sessions.sessions == 1
    marked = Notification.objects.filter(id__in=[row.id for row in rows])
    assert set(marked.values_list("status", "attempts")) == {("sent", 1)}
    # and the bookkeeping does not grow with the batch: a claim (SELECT … FOR UPDATE SKIP
    # LOCKED, UPDATE), one bounce look-up, one mark; the rest is each row's context
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(writes) == 2


def test_a_batch_run_twice_sends_each_email_once(
    test_kinds, outbox_queue, smtp_server, user_factory
):
    rows = write_emails(people(user_factory, 4))
    ids = [row.id for row in rows]
    first = notifications_send_batch(ids=ids, retry_in=30)
    second = notifications_send_batch(ids=ids, retry_in=30)
    assert (len(first.sent), len(second.sent), second.not_claimed) == (4, 0, 4)
    assert len(smtp_server.received) == 4


@needs_postgres
def test_racing_batches_send_each_email_once(test_kinds, outbox_queue, smtp_server, user_factory):
    # given: four workers got overlapping batches at the same moment
    rows = write_emails(people(user_factory, 20))
    ids = [row.id for row in rows]
    start = threading.Barrier(4)
    sent: list[int] = []

    def worker(chosen: list[int]) -> None:
        try:
            start.wait()
            sent.extend(notifications_send_batch(ids=chosen, retry_in=30).sent)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(ids[n * 4 : n * 4 + 12],)) for n in range(4)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(sent) == ids
    assert sorted(message["To"] for message in smtp_server.received) == sorted(
        row.recipient.email for row in rows
    )


def test_a_refusal_or_a_bounce_costs_only_its_own_row(
    test_kinds, outbox_queue, smtp_server, user_factory
):
    # given: the second address bounces, and the server refuses the third message for good
    persons = people(user_factory, 5)
    BouncingAddress.objects.create(
        email=persons[1].email, bounces=3, last_bounced_at=timezone.now()
    )
    rows = write_emails(persons)
    smtp_server.refusals = []
    accepted = 0

    async def refuse_the_second_delivery(server, session, envelope):
        nonlocal accepted
        accepted += 1
        if accepted == 2:
            return "550 mailbox unavailable"
        return await original(server, session, envelope)

    original = smtp_server.handle_DATA
    smtp_server.handle_DATA = refuse_the_second_delivery
    # when
    result = notifications_send_batch(ids=[row.id for row in rows], retry_in=30)
    # then: the bounce is skipped, the refusal failed, the other three sent on one connection
    assert (len(result.sent), result.skipped, len(result.failed)) == (3, [rows[1].id], 1)
    states = dict(Notification.objects.values_list("id", "status"))
    assert states[rows[1].id] == "skipped" and states[rows[2].id] == "failed"
    assert [states[rows[n].id] for n in (0, 3, 4)] == ["sent"] * 3
    refused = Notification.objects.get(id=rows[2].id)
    assert "550" in refused.last_error
    assert len(smtp_server.received) == 3


def test_a_mail_server_away_puts_the_batch_back_and_the_task_retries(
    test_kinds, outbox_queue, settings, user_factory
):
    # given: nothing listens on the mail port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    rows = write_emails(people(user_factory, 3))
    ids = [row.id for row in rows]
    # when: one attempt
    result = notifications_send_batch(ids=ids, retry_in=30)
    # then: every row is pending again, due after the backoff, with the reason
    assert sorted(result.retry) == ids and result.sent == []
    rows_now = Notification.objects.filter(id__in=ids)
    assert {(row.status, row.attempts) for row in rows_now} == {("pending", 1)}
    assert all("refused" in row.last_error for row in rows_now)
    # when: the task, whose retries Celery runs at once in this thread
    retries = []

    def record(sender=None, reason=None, **kwargs):
        retries.append(str(reason))

    task_retry.connect(record, sender=send_notifications, weak=False)
    try:
        send_notifications.apply(args=[ids])
    finally:
        task_retry.disconnect(record, sender=send_notifications)
    # then: it retried the batch until each row had its MAX_ATTEMPTS, then gave up
    assert retries and "3 of the batch" in retries[0]
    assert {(row.status, row.attempts) for row in Notification.objects.filter(id__in=ids)} == {
        ("failed", MAX_ATTEMPTS)
    }


def test_a_batch_takes_at_most_batch_size_rows(test_kinds, outbox_queue, user_factory):
    rows = write_emails(people(user_factory, 2))
    ids = [row.id for row in rows] + list(range(10**9, 10**9 + BATCH_SIZE))
    result = notifications_send_batch(ids=ids, retry_in=30)
    # only the first BATCH_SIZE ids are looked at: the two rows and BATCH_SIZE - 2 unknown
    assert result.not_claimed == BATCH_SIZE - 2 and len(result.sent) == 2


def test_a_batch_reads_the_rows_its_contexts_name_in_one_query(user_factory):
    # given: three builders that look up a person each, one of them gone, one inactive
    persons = people(user_factory, 4)
    persons[3].is_active = False
    persons[3].save(update_fields=["is_active"])
    gone = persons[2].id
    persons[2].delete()
    active = User.objects.filter(is_active=True)

    def builder(pk):
        return lambda: load_or_obsolete(active, pk, what="the person")

    builders = [builder(p.id) for p in persons[:2]] + [builder(gone), builder(persons[3].id)]
    # when
    with CaptureQueriesContext(connection) as captured, preloaded(builders):
        found = [builders[0](), builders[1]()]
        with pytest.raises(NotificationObsolete, match="the person is gone"):
            builders[2]()
        with pytest.raises(NotificationObsolete):  # filtered out by the caller's queryset
            builders[3]()
    # then: one query for the four look-ups; outside the batch, one each again
    assert [p.id for p in found] == [persons[0].id, persons[1].id]
    assert len(captured.captured_queries) == 1
    with CaptureQueriesContext(connection) as alone:
        builders[0]()
    assert len(alone.captured_queries) == 1
