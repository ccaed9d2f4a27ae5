"""A mailbox poll or a replay runs as one ticket batch (tickets.batch): what it reads once
serves every message in it, and the next batch reads again (issue 17)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
