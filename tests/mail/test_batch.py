"""A mailbox poll or a replay runs as one ticket batch (tickets.batch): what it reads once
serves every message in it, and the next batch reads again (issue 17)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from tests.mail.builders import customer_email
from tickets.batch import ticket_batch
from tickets.mail.intake import email_ingest
from tickets.models import SlaPolicy, Ticket, TicketType

pytestmark = pytest.mark.django_db


def ingest(sender: str, subject: str) -> Ticket:
    raw = customer_email(sender=sender, subject=subject).as_bytes()
    return email_ingest(raw, source="pipe").inbound.ticket


def policy(minutes: int) -> SlaPolicy:
    return SlaPolicy.objects.create(
        name="Email",
        ticket_type=TicketType.objects.get(slug="other"),
        first_response_minutes=minutes,
    )


def answer_within_minutes(ticket: Ticket) -> float:
    return (ticket.sla_due_at - ticket.created_at).total_seconds() / 60


def test_every_ticket_of_a_batch_gets_the_rules_and_the_next_batch_sees_a_change(private_media):
    rules = policy(60)
    with ticket_batch():
        first = ingest("ann@example.test", "Card declined")
        second = ingest("bob@example.test", "Login fails")
    rules.first_response_minutes = 15  # an admin's change between two polls
    rules.save()
    with ticket_batch():
        third = ingest("cat@example.test", "Deposit missing")

    assert [answer_within_minutes(t) for t in (first, second, third)] == [60, 60, 15]
    # Numbered in turn, each from the day's sequence.
    numbers = [int(t.number.rpartition("-")[2]) for t in (first, second, third)]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_outside_a_batch_each_message_reads_the_rules_afresh(private_media):
    rules = policy(60)
    first = ingest("ann@example.test", "Card declined")
    rules.first_response_minutes = 15
    rules.save()
    second = ingest("bob@example.test", "Login fails")

    assert [answer_within_minutes(t) for t in (first, second)] == [60, 15]


def test_the_second_message_of_a_batch_reads_no_ticket_type_nor_sla_policy(private_media):
    policy(60)
    with ticket_batch():
        ingest("ann@example.test", "Card declined")
        with CaptureQueriesContext(connection) as second:
            ingest("bob@example.test", "Login fails")

    tables = ('"tickets_tickettype"', '"tickets_slapolicy"')
    reads = [q["sql"] for q in second.captured_queries if q["sql"].startswith("SELECT")]
    assert reads and not [sql for sql in reads if any(table in sql for table in tables)]


def test_a_new_ticket_is_written_with_its_sla_clock_in_one_insert(private_media):
    policy(60)
    with CaptureQueriesContext(connection) as made:
        ticket = ingest("ann@example.test", "Card declined")

    statements = [q["sql"] for q in made.captured_queries]
    writes = [sql.split()[0] for sql in statements if sql.startswith(("INSERT", "UPDATE"))]
    ticket_writes = [
        sql.split()[0]
        for sql in statements
        if sql.split()[:3]
        in (["INSERT", "INTO", '"tickets_ticket"'], ["UPDATE", '"tickets_ticket"', "SET"])
    ]
    assert writes and ticket_writes == ["INSERT"]
    assert answer_within_minutes(ticket) == 60  # the deadline counts from the stored moment
    assert ticket.created_at == Ticket.objects.get(pk=ticket.pk).created_at


@pytest.mark.django_db(transaction=True)  # the emails are queued on real commits
def test_a_batch_queues_its_acknowledgements_together_when_it_ends(
    seeded_types, private_media, broker_queue
):
    with ticket_batch():
        for n in range(3):
            ingest(f"q{n}@example.test", f"Question {n}")
        assert broker_queue.take() == []  # committed, and waiting for the batch's end
    queued = broker_queue.take()
    assert [task["task"] for task in queued] == ["notifications.tasks.send_notifications"]
    emails = Notification.objects.filter(id__in=queued[0]["args"][0], status="pending")
    assert sorted(emails.values_list("recipient__email", flat=True)) == [
        "q0@example.test",
        "q1@example.test",
        "q2@example.test",
    ]

    ingest("alone@example.test", "Outside a batch")  # one email, one task, at its commit
    alone = broker_queue.take()
    assert [task["task"] for task in alone] == ["notifications.tasks.send_notification"]
    assert Notification.objects.get(id=alone[0]["args"][0]).recipient.email == "alone@example.test"
