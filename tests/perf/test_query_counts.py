"""SQL statements per request: few, and the same whatever the size of the table (issue 19).

Each request is sent twice by the same signed-in client and the second is counted (the
first warms per-process caches and the user-session row), at 5 and at 50 tickets (the
viewed ticket with 2 or 11 messages); a last test counts the same requests before and
after the table grows tenfold and wants the same numbers. After-commit work runs inside
the count (as it does inside a real request). Counts are statements, not timings.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.twofactor.demo import demo_totp_ensure
from tests.perf.helpers import client_for, fill
from tickets import services

pytestmark = pytest.mark.django_db

# The aims: queue ≤ 10, ticket view ≤ 12, create ≤ 20, all met; what is asserted
# is what the pages take now, so a statement cannot creep back unnoticed. Queue page (8):
# session, user, roles, ticket types, the queue counts (recently solved inside), the page
# of tickets, teams and agents (filter bar), the workspace header (my open tickets, my
# chats, waiting chats and presence in one). Ticket page (9): session, user, roles, the
# ticket (its requester's security panel, their other recent tickets, the macros and the
# followers' ids inside), messages, their attachments, timeline, header, and the queue
# list (types, counts); the assignee choices and followers come from the staff kept in
# the cache (tickets.console.staff), the maintenance banner from the one kept in the
# process (helpcenter.banner). Create (13). The speed notes (bench/README.md, "SQL per
# request") list each statement.
QUEUE_AIM, TICKET_VIEW_AIM, CREATE_AIM = 10, 12, 20
QUEUE_MAX, TICKET_VIEW_MAX, CREATE_MAX = 8, 9, 13


def counted(client: Client, path: str, body: dict | None = None, *, status: int = 200):
    def send():
        if body is not None:
            return client.post(path, body, content_type="application/json")
        return client.get(path)

    assert send().status_code == status  # warm-up
    return send


@pytest.mark.parametrize("tickets", [5, 50])
def test_query_count_console_queue_is_small_and_flat(
    world, tickets, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    fill(world, tickets)
    for who in ("supervisor", "agent"):
        send = counted(client_for(world[who]), "/console/?queue=all")
        with django_assert_max_num_queries(QUEUE_MAX):
            assert send().status_code == 200


@pytest.mark.parametrize("tickets", [5, 50])
def test_query_count_ticket_view_is_small_and_flat(world, tickets, django_assert_max_num_queries):
    viewed = fill(world, tickets)
    send = counted(client_for(world["agent"]), f"/console/tickets/{viewed.number}/")
    with django_assert_max_num_queries(TICKET_VIEW_MAX):
        assert send().status_code == 200


@pytest.mark.parametrize("tickets", [5, 50])
def test_query_count_create_api_is_small_and_flat(
    world, tickets, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    fill(world, tickets)
    body = {"type": "other", "subject": "Change email", "body": "How do I?", "fields": {}}
    send = counted(client_for(world["customer"]), "/api/v1/tickets/create", body, status=201)
    with django_assert_max_num_queries(CREATE_MAX):
        with django_capture_on_commit_callbacks(execute=True):
            assert send().status_code == 201


def test_query_count_does_not_grow_with_the_table(world, django_capture_on_commit_callbacks):
    viewed = fill(world, 5)
    body = {"type": "other", "subject": "Change email", "body": "How do I?", "fields": {}}
    requests = {
        "queue (supervisor)": counted(client_for(world["supervisor"]), "/console/?queue=all"),
        "queue (agent)": counted(client_for(world["agent"]), "/console/?queue=all"),
        "ticket view": counted(client_for(world["agent"]), f"/console/tickets/{viewed.number}/"),
        "create": counted(
            client_for(world["customer"]), "/api/v1/tickets/create", body, status=201
        ),
    }

    def counts() -> dict[str, int]:
        found = {}
        for label, send in requests.items():
            with CaptureQueriesContext(connection) as captured:
                with django_capture_on_commit_callbacks(execute=True):
                    send()
            found[label] = len(captured.captured_queries)
        return found

    small = counts()
    fill(world, 45)  # 50 more tickets in all, and 9 more messages on another ticket
    for n in range(10):
        services.ticket_reply(actor=world["customer"], ticket=viewed, body=f"And now? ({n})")
    assert counts() == small


def test_query_count_with_production_2fa_rule_stays_within_the_aims(
    world, settings, django_assert_max_num_queries
):
    # given: staff must use 2FA, as in production, and the agents have a factor. The
    # console's door, the middleware and each visibility rule all ask whether the agent
    # has one; the database is asked once a request.
    settings.BEACON_STAFF_MFA_REQUIRED = True
    for who in ("agent", "supervisor"):
        demo_totp_ensure(world[who])
    viewed = fill(world, 5)
    # (one statement more than without the rule: the factor check)
    pages = {
        "/console/?queue=all": (world["supervisor"], QUEUE_MAX + 1),
        f"/console/tickets/{viewed.number}/": (world["agent"], TICKET_VIEW_MAX + 1),
    }
    for path, (who, most) in pages.items():
        send = counted(client_for(who), path)
        with CaptureQueriesContext(connection) as captured:
            with django_assert_max_num_queries(most):
                assert send().status_code == 200
        # (the ticket's own statement reads the requester's factors too, as a column)
        factor_checks = [q for q in captured if q["sql"].startswith('SELECT 1 AS "a" FROM "mfa_')]
        assert len(factor_checks) == 1, path
