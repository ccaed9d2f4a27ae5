"""The console's queue selectors: saved views, counts, filters, search and keyset pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role, User
from accounts.selectors import user_role_names
from accounts.services import user_role_grant
from tickets import console, services
from tickets.models import Team, Ticket, TicketType

pytestmark = pytest.mark.django_db
PASSWORD = "pw-long-enough-1"
TXID = "a1" * 32


def make_user(email: str, role: Role | None = None) -> User:
    user = User.objects.create_user(email, PASSWORD)
    if role:
        user_role_grant(user=user, role=role)
    return user


def make_ticket(requester: User, subject: str = "Something is wrong", **kwargs) -> Ticket:
    kwargs.setdefault("ticket_type", TicketType.objects.get(slug="other"))
    kwargs.setdefault("field_values", {})
    return services.ticket_create(requester=requester, subject=subject, body="Help.", **kwargs)


def deposit_ticket(requester: User, txid: str = TXID) -> Ticket:
    return make_ticket(
        requester,
        "My USDT deposit is missing",
        ticket_type=TicketType.objects.get(slug="deposit-not-credited"),
        field_values={
            "uid": "12345678",
            "coin": "USDT",
            "network": "TRC20",
            "amount": "10",
            "txid": txid,
        },
    )


def numbers(tickets) -> list[str]:
    return [t.number for t in tickets]


@pytest.fixture
def customer() -> User:
    return make_user("customer@example.test")


@pytest.fixture
def agent() -> User:
    return make_user("agent@example.test", Role.AGENT)


@pytest.fixture
def supervisor() -> User:
    return make_user("boss@example.test", Role.SUPERVISOR)


def page(user: User, queue: str = "all", after: str | None = None, limit: int = 50, **filters):
    return console.queue_page(user=user, queue=queue, filters=filters, after=after, limit=limit)


# ---------------------------------------------------------------------------- keyset pages


def test_queue_page_returns_every_ticket_exactly_once_across_pages(customer, agent):
    # given
    created = {make_ticket(customer, f"Ticket {i}").number for i in range(120)}
    # when
    seen, cursor, pages = [], None, 0
    while True:
        tickets, cursor = page(agent, after=cursor, limit=50)
        seen += numbers(tickets)
        pages += 1
        if cursor is None:
            break
    # then
    assert pages == 3
    assert len(seen) == 120 and set(seen) == created
    ordered = list(Ticket.objects.order_by("-created_at", "-id").values_list("number", flat=True))
    assert seen == ordered


def test_queue_page_query_count_does_not_grow_with_the_page(customer, agent):
    # given
    for i in range(120):
        make_ticket(customer, f"Ticket {i}")
    _, second = page(agent)
    _, third = page(agent, after=second)
    # when
    with CaptureQueriesContext(connection) as first_page:
        tickets_1, _ = page(agent)
        [(t.requester.uid, t.type.slug, t.assignee, t.team) for t in tickets_1]
    with CaptureQueriesContext(connection) as third_page:
        tickets_3, end = page(agent, after=third)
        [(t.requester.uid, t.type.slug, t.assignee, t.team) for t in tickets_3]
    # then
    assert (len(tickets_1), len(tickets_3), end) == (50, 20, None)
    assert len(first_page.captured_queries) == len(third_page.captured_queries)


def test_queue_page_keeps_ties_on_created_at_apart_by_id(customer, agent):
    # given: tickets created in the same microsecond (bulk imports do this)
    for i in range(7):
        make_ticket(customer, f"Tie {i}")
    Ticket.objects.update(created_at=timezone.now())
    # when
    first, cursor = page(agent, limit=3)
    second, cursor = page(agent, after=cursor, limit=3)
    third, cursor = page(agent, after=cursor, limit=3)
    # then
    assert cursor is None
    assert len(set(numbers(first + second + third))) == 7


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "|",
        "2024-01-01T00:00:00Z|",
        "2024-01-01T00:00:00|5",  # no time zone
        "not-a-date|5",
        "2024-01-01T00:00:00Z|-5",
        "2024-01-01T00:00:00Z|99999999999999999999999999",
        "2024-13-45T00:00:00Z|5",
        "\x00|\x00",
    ],
)
def test_queue_page_treats_a_malformed_cursor_as_the_first_page(customer, agent, cursor):
    # given
    for i in range(3):
        make_ticket(customer, f"Ticket {i}")
    # when
    tickets, next_cursor = page(agent, after=cursor, limit=2)
    # then
    assert numbers(tickets) == numbers(page(agent, limit=2)[0])
    assert next_cursor is not None


def test_cursor_decode_reads_what_cursor_encode_wrote(customer):
    # given
    ticket = make_ticket(customer)
    # when
    decoded = console.cursor_decode(console.cursor_encode(ticket))
    # then
    assert decoded == (ticket.created_at, ticket.id)


# ---------------------------------------------------------------------------- queues


def test_queue_page_sorts_tickets_into_the_saved_views(customer, agent):
    # given
    mine = make_ticket(customer, "Mine")
    services.ticket_assign(actor=agent, ticket=mine, assignee=agent)
    unassigned = make_ticket(customer, "Unassigned")
    waiting = make_ticket(customer, "Waiting")
    services.ticket_change_status(actor=agent, ticket=waiting, status=Ticket.Status.PENDING)
    solved = make_ticket(customer, "Solved")
    services.ticket_change_status(actor=agent, ticket=solved, status=Ticket.Status.SOLVED)
    complaint = services.ticket_complain(actor=customer, ticket=solved, body="Too slow.")
    # when
    views = {queue: set(numbers(page(agent, queue)[0])) for queue in console.QUEUES}
    # then
    assert views["mine"] == {mine.number}
    assert views["unassigned"] == {unassigned.number, waiting.number, complaint.number}
    assert views["waiting"] == {waiting.number}
    assert views["complaints"] == {complaint.number}
    assert views["open"] == {mine.number, unassigned.number, waiting.number, complaint.number}
    assert views["recently_solved"] == {solved.number}
    assert len(views["all"]) == 5
    assert set(numbers(page(agent, "type:complaint")[0])) == {complaint.number}
    assert solved.number not in numbers(page(agent, f"type:{solved.type.slug}")[0])


def test_queue_page_leaves_long_solved_tickets_out_of_recently_solved(customer, agent):
    # given
    old = make_ticket(customer, "Old")
    services.ticket_change_status(actor=agent, ticket=old, status=Ticket.Status.SOLVED)
    Ticket.objects.filter(id=old.id).update(solved_at=timezone.now() - dt.timedelta(days=8))
    # when
    tickets, _ = page(agent, "recently_solved")
    # then
    assert tickets == []


def test_queue_page_falls_back_to_mine_for_an_unknown_queue(customer, agent):
    # given
    mine = make_ticket(customer, "Mine")
    services.ticket_assign(actor=agent, ticket=mine, assignee=agent)
    make_ticket(customer, "Someone else's")
    # when
    tickets, _ = page(agent, "no-such-queue")
    # then
    assert numbers(tickets) == [mine.number]


def test_queue_counts_counts_every_queue_in_two_queries(customer, agent, django_assert_num_queries):
    # given
    mine = make_ticket(customer, "Mine")
    services.ticket_assign(actor=agent, ticket=mine, assignee=agent)
    make_ticket(customer, "Unassigned")
    deposit_ticket(customer)
    solved = make_ticket(customer, "Solved")
    services.ticket_change_status(actor=agent, ticket=solved, status=Ticket.Status.SOLVED)
    services.ticket_complain(actor=customer, ticket=solved, body="Too slow.")
    # the role lookup of TicketPolicy is not the counting: read it once beforehand
    agent = User.objects.get(id=agent.id)
    user_role_names(user=agent)
    # when
    with django_assert_num_queries(2):  # the types, then every count in one
        counts = console.queue_counts(user=agent)
    # then: type queues count open tickets; "All tickets" is not counted
    assert counts["mine"] == 1
    assert counts["unassigned"] == 3
    assert counts["waiting"] == 0
    assert counts["complaints"] == 1
    assert counts["open"] == 4
    assert counts["recently_solved"] == 1
    assert "all" not in counts
    assert counts["type:other"] == 2
    assert counts["type:deposit-not-credited"] == 1
    assert counts["type:complaint"] == 1


def test_queue_counts_matches_the_pages_when_team_joins_repeat_rows(customer, agent):
    # given: a team ticket assigned to a member, in a team of three
    team = Team.objects.create(slug="ops", name_en="Ops", name_zh_hans="运营")
    team.members.add(agent, make_user("a2@example.test", Role.AGENT), make_user("a3@example.test"))
    ticket = make_ticket(customer)
    Ticket.objects.filter(id=ticket.id).update(team=team, assignee=agent)
    # when
    counts = console.queue_counts(user=agent)
    # then
    assert counts["open"] == counts["mine"] == len(page(agent, "mine")[0]) == 1


# ---------------------------------------------------------------------------- visibility


def test_queue_page_hides_another_teams_tickets_from_an_agent_but_not_a_supervisor(
    customer, supervisor
):
    # given
    team_a = Team.objects.create(slug="team-a", name_en="A", name_zh_hans="甲")
    team_b = Team.objects.create(slug="team-b", name_en="B", name_zh_hans="乙")
    agent_a = make_user("a@example.test", Role.AGENT)
    agent_b = make_user("b@example.test", Role.AGENT)
    team_a.members.add(agent_a)
    team_b.members.add(agent_b)
    for_a = make_ticket(customer, "For team A")
    for_b = make_ticket(customer, "For team B")
    Ticket.objects.filter(id=for_a.id).update(team=team_a)
    Ticket.objects.filter(id=for_b.id).update(team=team_b)
    # when
    seen_by_a = set(numbers(page(agent_a)[0]))
    seen_by_boss = set(numbers(page(supervisor)[0]))
    # then
    assert seen_by_a == {for_a.number}
    assert seen_by_boss == {for_a.number, for_b.number}
    assert console.queue_counts(user=agent_a)["open"] == 1
    assert console.queue_counts(user=supervisor)["open"] == 2


# ---------------------------------------------------------------------------- search


@pytest.fixture
def haystack(customer):
    other = make_user("Someone.Else@Example.test")
    return {
        "plain": make_ticket(customer, "Cannot log in on the app"),
        "deposit": deposit_ticket(other),
        "noise": make_ticket(make_user("third@example.test"), "Withdrawal question"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (lambda h: h["plain"].number, "plain"),
        (lambda h: str(h["plain"].requester.uid), "plain"),
        (lambda h: "customer@example.test", "plain"),
        (lambda h: "  SOMEONE.ELSE@example.test ", "deposit"),
        (lambda h: TXID, "deposit"),
        (lambda h: "12345678", "deposit"),  # the UID typed into the form
        (lambda h: "log in", "plain"),
    ],
    ids=["number", "uid", "email", "email-any-case", "txid", "field-uid", "subject"],
)
def test_queue_page_search_finds_the_right_ticket(agent, haystack, query, expected):
    # when
    tickets, _ = page(agent, q=query(haystack))
    # then
    assert numbers(tickets) == [haystack[expected].number]


def test_queue_page_search_finds_nothing_for_an_unknown_number(agent, haystack):
    # when
    tickets, _ = page(agent, q="990101-000001")
    # then
    assert tickets == []


def test_queue_page_search_by_order_id(customer, agent):
    # given
    order = make_ticket(
        customer,
        "Order stuck",
        ticket_type=TicketType.objects.get(slug="trading-order"),
        field_values={"uid": str(customer.uid), "order_id": "ORD-20240101-77"},
    )
    make_ticket(customer, "Unrelated")
    # when
    tickets, _ = page(agent, q="ORD-20240101-77")
    # then
    assert numbers(tickets) == [order.number]


# ---------------------------------------------------------------------------- filters


def test_queue_page_applies_each_filter(customer, agent):
    # given
    team = Team.objects.create(slug="vip", name_en="VIP", name_zh_hans="贵宾")
    team.members.add(agent)
    urgent = make_ticket(
        customer, "Urgent one", priority=Ticket.Priority.URGENT, language="zh-hans"
    )
    services.ticket_assign(actor=agent, ticket=urgent, assignee=agent)
    emailed = make_ticket(customer, "By email", channel=Ticket.Channel.EMAIL)
    Ticket.objects.filter(id=emailed.id).update(team=team, tags=["vip", "refund"])
    deposit = deposit_ticket(customer)
    # when
    found = {
        name: numbers(page(agent, **{name: value})[0])
        for name, value in [
            ("status", "open"),
            ("priority", "urgent"),
            ("type", "deposit-not-credited"),
            ("channel", "email"),
            ("assignee", str(agent.id)),
            ("team", "vip"),
            ("tag", "refund"),
            ("language", "zh-hans"),
        ]
    }
    unassigned = set(numbers(page(agent, assignee="none")[0]))
    # then
    assert found == {
        "status": [urgent.number],
        "priority": [urgent.number],
        "type": [deposit.number],
        "channel": [emailed.number],
        "assignee": [urgent.number],
        "team": [emailed.number],
        "tag": [emailed.number],
        "language": [urgent.number],
    }
    assert unassigned == {emailed.number, deposit.number}


def test_queue_page_filters_by_created_dates(customer, agent):
    # given
    old = make_ticket(customer, "Old")
    new = make_ticket(customer, "New")
    Ticket.objects.filter(id=old.id).update(created_at=dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC))
    Ticket.objects.filter(id=new.id).update(created_at=dt.datetime(2024, 3, 5, 12, tzinfo=dt.UTC))
    # when
    from_only = numbers(page(agent, created_from="2024-03-02")[0])
    to_only = numbers(page(agent, created_to="2024-03-01")[0])
    both = numbers(page(agent, created_from="2024-03-01", created_to="2024-03-05")[0])
    # then
    assert from_only == [new.number]
    assert to_only == [old.number]
    assert both == [new.number, old.number]


@pytest.mark.parametrize(
    "filters",
    [
        {"status": "exploded"},
        {"priority": "'; DROP TABLE tickets_ticket; --"},
        {"type": "no such type!"},
        {"channel": "pigeon"},
        {"assignee": "not-a-number"},
        {"assignee": "9" * 40},
        {"team": "../../etc"},
        {"tag": "x" * 500},
        {"language": "klingon-long"},
        {"created_from": "2024-02-31", "created_to": "yesterday"},
        {"created_from": "0001-01-01", "created_to": "9999-12-31"},
        {"q": "\x00"},
        {"q": "x" * 5000},
        {"q": "１２３"},  # full-width digits are not a UID
        {"q": "9" * 40},
    ],
)
def test_queue_page_ignores_filter_values_that_make_no_sense(customer, agent, filters):
    # given
    ticket = make_ticket(customer)
    # when
    tickets, _ = page(agent, **filters)
    # then: the nonsense narrows nothing (searches find nothing, but do not fail)
    if "q" not in filters:
        assert numbers(tickets) == [ticket.number]


def test_open_statuses_are_every_status_but_solved_and_closed():
    # the partial indexes' condition is written out as strings; it must match the choices
    assert set(Ticket.OPEN_STATUSES) == set(Ticket.Status.values) - {"solved", "closed"}
