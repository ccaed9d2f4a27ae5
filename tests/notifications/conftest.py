"""Fixtures for the notification outbox: a real SMTP server, a private broker queue, and
notification kinds of the tests' own (the apps register theirs)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils.translation import gettext_lazy as _

import notifications
from accounts.models import User
from notifications import NotificationKind, NotificationObsolete
from tests.celery_queue import BrokerQueue

TEMPLATES = Path(__file__).parent / "templates"

# Racing threads need PostgreSQL: SQLite (the embedded default, an in-memory database in
# tests) has no row locks and locks whole tables against a second thread.
needs_postgres = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="racing threads need PostgreSQL (set DATABASE_URL)",
)


class OutboxQueue(BrokerQueue):
    """This run's Celery queue (tests.celery_queue), read as the outbox's sends."""

    def notification_ids(self) -> list[int]:
        """The ids of every queued send: one per send_notification, a list per
        send_notifications (a batch)."""
        ids: list[int] = []
        for task in self.take():
            first = task["args"][0]
            ids.extend(first if isinstance(first, list) else [first])
        return ids


@pytest.fixture
def outbox_queue(broker_queue: BrokerQueue) -> OutboxQueue:
    # The same queue as broker_queue, which empties it before and after the test.
    return OutboxQueue(broker_queue.name)


def _hello_context(stored: Mapping[str, Any]) -> dict[str, Any]:
    try:
        person = User.objects.get(id=stored["person_id"])
    except User.DoesNotExist:
        raise NotificationObsolete("the person is gone") from None
    return {"person": person, "number": stored["number"]}


HELLO = NotificationKind(
    name="outbox_test.hello",
    label="Test: hello",
    # An msgid the catalogue already translates, so the language shows.
    subject=_("[Beacon] We received your request %(number)s"),
    template="outbox_test/email/hello",
    build_context=_hello_context,
    link=lambda context: f"/requests/{context['number']}/",
    channels=frozenset({"email", "bell"}),
    default_channels=frozenset({"email", "bell"}),
)
SECURITY = NotificationKind(
    name="outbox_test.security",
    label="Test: security notice",
    subject=_("[Beacon] We received your request %(number)s"),
    template="outbox_test/email/hello",
    build_context=_hello_context,
    essential=True,
)
AGENT_ONLY = NotificationKind(
    name="outbox_test.assigned",
    label="Test: assigned to you",
    subject="Assigned: %(number)s",
    channels=frozenset({"bell", "email"}),
    default_channels=frozenset({"bell"}),  # email only for those who ask for it
    staff_only=True,
    template="outbox_test/email/hello",
    build_context=_hello_context,
)
TEST_KINDS = (HELLO, SECURITY, AGENT_ONLY)


@pytest.fixture
def test_kinds(settings) -> Iterator[tuple[NotificationKind, ...]]:
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES]}
    ]
    for kind in TEST_KINDS:
        notifications.register(kind)
    yield TEST_KINDS
    for kind in TEST_KINDS:
        notifications.unregister(kind.name)


def hello_context(person: User, number: str = "240101-000042") -> dict[str, Any]:
    return {"person_id": person.id, "number": number}
