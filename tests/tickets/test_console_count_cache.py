"""The console rail's queue counts are kept in the shared cache between ticket changes
(issue 19: counting open tickets is the dearest statement of a console page at 1M), and
never shown stale after a change."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from accounts.services import user_role_grant
from tests.cache_down import cache_unreachable
from tickets import services
from tickets.console.count_cache import queue_counts_kept
from tickets.models import TicketType

pytestmark = pytest.mark.django_db

COUNTING = 'AS "n_unassigned"'


@pytest.fixture
def customer() -> User:
    return User.objects.create_user("customer@example.test", "a long password 1")


@pytest.fixture
def agent() -> User:
    user = User.objects.create_user("agent@example.test", "a long password 1")
    user_role_grant(user=user, role=Role.AGENT)
    return user


def new_ticket(requester: User, subject: str = "Where is my deposit?"):
    return services.ticket_create(
        requester=requester,
        subject=subject,
        body="Help.",
        ticket_type=TicketType.objects.get(slug="other"),
        field_values={},
    )


def unassigned_shown(agent: User) -> tuple[int, list[str]]:
    """The Unassigned count on the agent's console, and the SQL the page ran."""
    client = Client()
    client.force_login(agent)
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/console/", {"queue": "unassigned"}).content.decode()
    found = re.search(r'queue-label">Unassigned</span>\s*<span class="queue-count">(\d+)', body)
    return int(found[1]), [q["sql"] for q in queries]


def test_counts_are_kept_until_a_ticket_changes(customer, agent):
    new_ticket(customer)
    first, first_sql = unassigned_shown(agent)
    again, again_sql = unassigned_shown(agent)
    new_ticket(customer, "And my withdrawal?")
    after, after_sql = unassigned_shown(agent)
    assert (first, again, after) == (1, 1, 2)
    assert any(COUNTING in sql for sql in first_sql)
    assert not any(COUNTING in sql for sql in again_sql)
    assert any(COUNTING in sql for sql in after_sql)


def test_each_person_gets_their_own_counts(customer, agent):
    other = User.objects.create_user("other@example.test", "a long password 1")
    user_role_grant(user=other, role=Role.AGENT)
    ticket = new_ticket(customer)
    services.ticket_assign(actor=agent, ticket=ticket, assignee=agent)
    assert queue_counts_kept(user=agent)["mine"] == 1
    assert queue_counts_kept(user=other)["mine"] == 0
    assert queue_counts_kept(user=agent)["mine"] == 1


def test_counts_read_before_a_commit_are_not_kept_after_it(
    customer, agent, django_capture_on_commit_callbacks
):
    # given: a change not yet committed, and another process counting meanwhile (its own
    # connection does not see the change) and keeping what it counted
    with django_capture_on_commit_callbacks() as at_commit:
        new_ticket(customer)
        seen: dict = {}

        def other_process() -> None:
            try:
                seen.update(queue_counts_kept(user=agent))
            finally:
                connection.close()

        thread = threading.Thread(target=other_process)
        thread.start()
        thread.join()
    assert seen["unassigned"] == 0
    # when: the change commits
    for callback in at_commit:
        callback()
    # then
    # (a fresh copy of the agent, as the next request loads: the other process's copy
    # remembers roles it could not see)
    assert queue_counts_kept(user=User.objects.get(pk=agent.pk))["unassigned"] == 1


def test_without_the_shared_cache_the_counts_are_counted_each_time(customer, agent):
    with cache_unreachable():
        new_ticket(customer)
        first = queue_counts_kept(user=agent)["unassigned"]
        new_ticket(customer, "And my withdrawal?")
        second = queue_counts_kept(user=agent)["unassigned"]
    assert (first, second) == (1, 2)
