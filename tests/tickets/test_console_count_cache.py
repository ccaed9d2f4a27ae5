"""The console rail's queue counts are kept in the shared cache between ticket changes
(issue 19: counting open tickets is the dearest statement of a console page at 1M). After
a change a page is drawn with the kept counts marked stale, and the live refresh it then
asks for counts again: never stale once the refresh is in."""

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


def unassigned_shown(agent: User, path: str = "/console/") -> tuple[int, list[str]]:
    """The Unassigned count on the agent's console (or in its live refresh, `path`
    /console/queues), and the SQL the request ran."""
    shown, sql, _stale = rail(agent, path)
    return shown, sql


def rail(agent: User, path: str = "/console/") -> tuple[int, list[str], bool]:
    """unassigned_shown, and whether the page asks its script for fresh counts at once."""
    client = Client()
    client.force_login(agent)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(path, {"queue": "unassigned"}).content.decode()
    found = re.search(r'queue-label">Unassigned</span>\s*<span class="queue-count">(\d+)', body)
    return int(found[1]), [q["sql"] for q in queries], "data-counts-stale" in body


def test_counts_are_kept_until_a_ticket_changes(customer, agent):
    new_ticket(customer)
    first, first_sql = unassigned_shown(agent)
    again, again_sql = unassigned_shown(agent)
    new_ticket(customer, "And my withdrawal?")
    # the refresh the console's socket asks for after the change counts again
    after, after_sql = unassigned_shown(agent, "/console/queues")
    assert (first, again, after) == (1, 1, 2)
    assert any(COUNTING in sql for sql in first_sql)
    assert not any(COUNTING in sql for sql in again_sql)
    assert any(COUNTING in sql for sql in after_sql)


def test_a_page_drawn_after_a_change_shows_the_kept_counts_and_asks_for_fresh_ones(customer, agent):
    # given: counts kept, then a change
    new_ticket(customer)
    assert rail(agent)[::2] == (1, False)
    new_ticket(customer, "And my withdrawal?")
    # when: a page is drawn
    shown, sql, stale = rail(agent)
    # then: without counting, with the kept count, marked for the script to refresh
    assert (shown, stale) == (1, True)
    assert not any(COUNTING in statement for statement in sql)
    # and its refresh counts; pages drawn after it show the fresh count, not marked
    assert unassigned_shown(agent, "/console/queues")[0] == 2
    shown, sql, stale = rail(agent)
    assert (shown, stale) == (2, False)
    assert not any(COUNTING in statement for statement in sql)


def test_a_page_with_nothing_kept_counts(customer, agent):
    # given: a change and no counts kept for this agent
    new_ticket(customer)
    # then: the first page counts and is not marked stale
    shown, sql, stale = rail(agent)
    assert (shown, stale) == (1, False)
    assert any(COUNTING in statement for statement in sql)


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
