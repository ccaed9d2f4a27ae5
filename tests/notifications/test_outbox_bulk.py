"""notify_many: notify's rules for many events at once, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import notifications
from notifications import Note, notify_many
from notifications.models import Notification
from tests.notifications.conftest import hello_context

pytestmark = pytest.mark.django_db


def notes(people, kind="outbox_test.hello", key="event"):
    return [
        Note(
            kind=kind,
            recipient=person,
            context=hello_context(person),
            dedupe_key=f"{key}:{person.id}",
            channels=("email", "bell"),
        )
        for person in people
    ]


def test_notify_many_writes_a_row_per_channel_and_honours_preferences(
    test_kinds, customer, user_factory, outbox_queue, django_capture_on_commit_callbacks
):
    # given: the customer turned the email of this kind off
    other = user_factory(email="other@example.test")
    notifications.notification_preferences_update(
        user=customer, choices={"outbox_test.hello": {"bell"}}
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        created = notify_many(notes([customer, other]))
    # then
    states = {(row.recipient.email, row.channel): row.status for row in created}
    assert states == {
        (customer.email, "email"): "skipped",
        (customer.email, "bell"): "sent",
        (other.email, "email"): "pending",
        (other.email, "bell"): "sent",
    }
    queued = outbox_queue.notification_ids()
    assert queued == [row.id for row in created if row.status == "pending"]


def test_notify_many_twice_with_the_same_keys_makes_no_second_row(test_kinds, customer):
    # when
    first = notify_many(notes([customer]))
    again = notify_many(notes([customer]))
    # then
    assert len(first) == 2 and again == []
    assert Notification.objects.count() == 2


def test_notify_many_in_a_rolled_back_transaction_leaves_nothing(test_kinds, customer):
    # when
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_many(notes([customer]))
        raise RuntimeError("the change failed")
    # then
    assert Notification.objects.count() == 0


def test_notify_many_costs_the_same_queries_for_two_or_twenty_people(test_kinds, user_factory):
    # given
    people = [user_factory(email=f"p{n}@example.test") for n in range(22)]
    # when
    with CaptureQueriesContext(connection) as two:
        notify_many(notes(people[:2], key="a"))
    with CaptureQueriesContext(connection) as twenty:
        notify_many(notes(people[2:], key="b"))
    # then
    assert len(two.captured_queries) == len(twenty.captured_queries)


def test_notify_many_refuses_a_note_without_a_dedupe_key(test_kinds, customer):
    # when / then
    with pytest.raises(ValueError, match="dedupe key"):
        notify_many([Note(kind="outbox_test.hello", recipient=customer, context={}, dedupe_key="")])


def test_notify_many_pushes_a_persons_newest_bell_items_only(
    test_kinds, customer, user_factory, monkeypatch
):
    # given: one sweep rings the customer 30 times and someone else twice
    from notifications import bell, bulk

    pushed: list = []
    monkeypatch.setattr(bulk, "broadcast_many_on_commit", pushed.extend)
    other = user_factory(email="other@example.test")
    many = [
        Note(
            kind="outbox_test.hello",
            recipient=customer,
            context=hello_context(customer, number=f"240101-{n:06d}"),
            dedupe_key=f"ring:{n}",
            channels=("bell",),
        )
        for n in range(30)
    ]
    # when
    created = notify_many([*many, *notes([other], key="other")])
    # then: every row is in the bell, and the live push carries what a reload would show
    assert len(created) == 32
    mine = [event for group, event in pushed if group == bell.user_group(customer.id)]
    theirs = [event for group, event in pushed if group == bell.user_group(other.id)]
    assert len(mine) == bell.BELL_RECENT_LIMIT and len(theirs) == 1
    newest = [row.id for row in created if row.recipient_id == customer.id][
        -bell.BELL_RECENT_LIMIT :
    ]
    assert [event["notification"]["id"] for event in mine] == newest
    assert {event["unread"] for event in mine} == {30}
