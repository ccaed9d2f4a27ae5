"""The in-console bell: rows, unread state, and the indexes its queries use."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone, translation

import notifications
from notifications.models import Notification
from notifications.outbox import SWEEP_BATCH, SWEEP_GRACE
from tests.notifications.conftest import hello_context

pytestmark = pytest.mark.django_db


def ring(person, number: str = "240101-000042") -> Notification:
    (row,) = notifications.notify(
        kind="outbox_test.hello",
        recipient=person,
        context=hello_context(person, number),
        channels=("bell",),
    )
    return row


def test_bell_lists_a_users_unread_items_newest_first(test_kinds, customer, user_factory):
    # given
    other = user_factory()
    older, newer = ring(customer, "1"), ring(customer, "2")
    ring(other)
    # when / then
    assert list(notifications.bell_unread(user=customer)) == [newer, older]
    assert notifications.bell_unread_count(user=customer) == 2
    assert list(notifications.bell_recent(user=customer, limit=1)) == [newer]


def test_bell_mark_read_marks_only_the_users_own_items(test_kinds, customer, user_factory):
    # given
    other = user_factory()
    mine, theirs = ring(customer), ring(other)
    # when: ids of someone else's items are ignored
    marked = notifications.bell_mark_read(user=customer, ids=[mine.id, theirs.id])
    # then
    assert marked == 1
    assert notifications.bell_unread_count(user=customer) == 0
    assert notifications.bell_unread_count(user=other) == 1
    assert list(notifications.bell_recent(user=customer)) == [mine]


def test_bell_mark_read_without_ids_marks_everything(test_kinds, customer):
    ring(customer), ring(customer)
    assert notifications.bell_mark_read(user=customer) == 2
    assert notifications.bell_mark_read(user=customer) == 0


@pytest.mark.parametrize("ids", [["1"], [True], [-1], list(range(1, 500))])
def test_bell_mark_read_refuses_malformed_ids(test_kinds, customer, ids):
    ring(customer)
    with pytest.raises(ValueError):
        notifications.bell_mark_read(user=customer, ids=ids)
    assert notifications.bell_unread_count(user=customer) == 1


def test_bell_item_renders_the_title_and_link_in_the_active_language(test_kinds, customer):
    # given
    row = ring(customer)
    # when
    with translation.override("zh-hans"):
        item = notifications.bell_item(row)
    # then
    assert item["title"] == "[Beacon] 我们已收到您的工单 240101-000042"
    assert item["url"] == "/requests/240101-000042/"
    assert (item["id"], item["kind"], item["read"]) == (row.id, "outbox_test.hello", False)


def test_bell_item_of_an_unregistered_kind_still_renders(test_kinds, customer):
    row = ring(customer)
    notifications.unregister("outbox_test.hello")
    assert notifications.bell_item(row)["title"] == "outbox_test.hello"


def test_bell_skipped_items_do_not_ring(test_kinds, customer):
    notifications.notification_preferences_update(
        user=customer, choices={"outbox_test.hello": {"email"}}
    )
    assert ring(customer).status == "skipped"
    assert notifications.bell_unread_count(user=customer) == 0


# ---------------------------------------------------------------- indexes


def plan(queryset) -> str:
    """The plan PostgreSQL picks when it may not scan the whole table."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("query plans are checked on PostgreSQL")


def assert_bell_index_in_order(query_plan: str) -> None:
    # Either partial bell index serves it (on a near-empty table the planner may take
    # the other one); in index order, so no sort and no scan of the table.
    assert "Index Scan using notification_bell_" in query_plan, query_plan
    assert "Sort" not in query_plan and "Seq Scan" not in query_plan, query_plan


def test_bell_unread_is_one_indexed_query(test_kinds, customer, postgres):
    ring(customer)
    assert_bell_index_in_order(plan(notifications.bell_unread(user=customer)))


def test_bell_recent_is_one_indexed_query(test_kinds, customer, postgres):
    ring(customer)
    query_plan = plan(notifications.bell_recent(user=customer))
    assert_bell_index_in_order(query_plan)
    assert "notification_bell_recent_idx" in query_plan  # the unread one lacks read items


def test_rows_due_for_a_retry_are_one_indexed_query(test_kinds, customer, postgres):
    # given: the sweep's query
    cutoff = timezone.now() - SWEEP_GRACE
    due = (
        Notification.objects.filter(
            status__in=["pending", "sending"], next_attempt_at__lte=cutoff, channel="email"
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    # when / then
    query_plan = plan(due)
    # then: a range read of the partial index, already in the order the sweep wants
    assert "notification_due_idx" in query_plan and "Sort" not in query_plan, query_plan
