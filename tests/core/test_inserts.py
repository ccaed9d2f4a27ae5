"""insert_unless_taken: many rows in one statement, each column stored as given."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.inserts import insert_unless_taken
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def row(recipient, key, **fields):
    values = {
        "recipient": recipient,
        "kind": "test.kind",
        "channel": "email",
        "language": "en",
        "context": {},
        "next_attempt_at": timezone.now(),
        **fields,
    }
    return Notification(dedupe_key=key, **values)


def stored(key):
    return Notification.objects.values().get(dedupe_key=key)


def test_rows_are_stored_with_every_column_as_given(user_factory):
    # given: rows that share some columns (one context object for two rows, one
    # language) and differ in others (recipient, channel, status, a null and a set time)
    ana, bo = user_factory(email="ana@example.test"), user_factory(email="bo@example.test")
    now = timezone.now()
    shared = {"ticket": "BCN-1", "subject": "提币未到账"}
    rows = [
        row(ana, "k1", context=shared),
        row(bo, "k2", context=shared, channel="bell", status="sent", sent_at=now),
        row(ana, "k3", context={"ticket": "BCN-2"}, language="zh-hans", attempts=2),
    ]
    # when
    with CaptureQueriesContext(connection) as captured:
        created = insert_unless_taken(rows, key="dedupe_key")
    # then: one statement, the ids given back in order, and what a read gives back
    assert len(captured.captured_queries) == 1
    assert [r.dedupe_key for r in created] == ["k1", "k2", "k3"]
    assert all(r.pk and not r._state.adding for r in created)
    first, second, third = stored("k1"), stored("k2"), stored("k3")
    assert (first["recipient_id"], first["channel"], first["status"]) == (
        ana.id,
        "email",
        "pending",
    )
    assert first["context"] == shared and first["sent_at"] is None
    assert (second["recipient_id"], second["channel"], second["status"]) == (bo.id, "bell", "sent")
    assert second["context"] == shared and second["sent_at"] == now
    assert (third["language"], third["attempts"], third["context"]) == (
        "zh-hans",
        2,
        {"ticket": "BCN-2"},
    )


def test_rows_whose_key_is_taken_are_left_out(user_factory):
    # given: k2 stored before
    ana = user_factory(email="ana@example.test")
    insert_unless_taken([row(ana, "k2", kind="first.write")], key="dedupe_key")
    # when
    created = insert_unless_taken(
        [row(ana, "k1"), row(ana, "k2"), row(ana, "k3")], key="dedupe_key"
    )
    # then: the first write of k2 stays as it was, the others are new
    assert [r.dedupe_key for r in created] == ["k1", "k3"]
    assert stored("k2")["kind"] == "first.write"
    assert Notification.objects.count() == 3


def test_rows_that_all_share_a_value_keep_it(user_factory):
    # given: every column but the key the same, long text included
    ana = user_factory(email="ana@example.test")
    text = "错误" * 2000
    rows = [row(ana, f"k{n}", last_error=text) for n in range(5)]
    # when
    insert_unless_taken(rows, key="dedupe_key")
    # then
    assert list(Notification.objects.values_list("last_error", flat=True)) == [text] * 5


def test_text_json_and_times_that_differ_between_rows_come_back_exactly(user_factory):
    # given: the differing columns travel as JSON; what JSON escapes or rounds must not
    # change what is stored (quotes, backslashes, line breaks, emoji, a timestamp with
    # microseconds in another time zone, nested context, a null beside a value)
    ana = user_factory(email="ana@example.test")
    beijing = timezone.get_fixed_timezone(480)
    when = timezone.now().astimezone(beijing).replace(microsecond=123456)
    odd = 'say "hi" \\ back\nslash \\n, tab\t, emoji 🚀, 提币'
    context = {"lines": [odd, None, 1.5, True], "nested": {"k": odd}}
    rows = [
        row(ana, "k1", last_error=odd, context=context, claimed_at=when),
        row(ana, "k2", last_error="", context={}, claimed_at=None),
    ]
    # when
    insert_unless_taken(rows, key="dedupe_key")
    # then
    first, second = stored("k1"), stored("k2")
    assert (first["last_error"], first["context"], first["claimed_at"]) == (odd, context, when)
    assert (second["last_error"], second["context"], second["claimed_at"]) == ("", {}, None)
