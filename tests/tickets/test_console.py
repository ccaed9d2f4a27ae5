"""The agent console's pages, driven through Django's test client and the real services."""

from __future__ import annotations

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import user_role_grant
from tickets import selectors, services
from tickets.models import Team, Ticket, TicketEvent, TicketMessage, TicketType

pytestmark = pytest.mark.django_db
PASSWORD = "pw-long-enough-1"
TXID = "c3" * 32
NOTE = "Internal-note-Zk93: their KYC looks forged, escalate."
REPLY = "Public-reply-Lm27: please send a screenshot."
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def make_user(email: str, role: Role | None = None) -> User:
    user = User.objects.create_user(email, PASSWORD)
    if role:
        user_role_grant(user=user, role=role)
    return user


def make_ticket(requester: User, subject: str = "I cannot log in", **kwargs) -> Ticket:
    kwargs.setdefault("ticket_type", TicketType.objects.get(slug="other"))
    kwargs.setdefault("field_values", {})
    return services.ticket_create(requester=requester, subject=subject, body="Help.", **kwargs)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def url(name: str, ticket: Ticket | None = None) -> str:
    args = [ticket.number] if ticket else []
    return reverse(f"tickets:{name}", args=args)


@pytest.fixture
def customer() -> User:
    return make_user("customer@example.test")


@pytest.fixture
def agent() -> User:
    return make_user("agent@example.test", Role.AGENT)


@pytest.fixture
def ticket(customer) -> Ticket:
    return make_ticket(customer)


# ---------------------------------------------------------------------------- access


@pytest.mark.parametrize("name", ["console", "console-queues", "console-ticket"])
def test_console_refuses_a_customer_with_403(customer, ticket, name):
    # when
    response = client_for(customer).get(url(name, ticket if name == "console-ticket" else None))
    # then
    assert response.status_code == 403
    assert ticket.subject.encode() not in response.content


@pytest.mark.parametrize(
    "name", ["console-reply", "console-assign", "console-status", "console-priority"]
)
def test_console_writes_refuse_a_customer_and_change_nothing(customer, ticket, name):
    # when
    response = client_for(customer).post(
        url(name, ticket), {"body": "x", "assignee": "me", "status": "solved", "priority": "low"}
    )
    # then
    assert response.status_code == 403
    assert ticket.events.count() == 1 and ticket.messages.count() == 1


def test_console_redirects_an_anonymous_visitor_to_sign_in(ticket):
    # when
    response = client_for(None).get(url("console-ticket", ticket))
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/console/tickets/")


def test_console_lets_a_supervisor_in(ticket):
    # given
    boss = make_user("boss@example.test", Role.SUPERVISOR)
    # when
    response = client_for(boss).get(url("console"), {"queue": "all"})
    # then
    assert response.status_code == 200
    assert ticket.number.encode() in response.content


# ---------------------------------------------------------------------------- the agent's day


def test_console_agent_takes_a_ticket_notes_and_replies(customer, agent, ticket):
    # given
    client = client_for(agent)
    # when: the new ticket waits in Unassigned
    unassigned = client.get(url("console"), {"queue": "unassigned"})
    # then
    assert unassigned.status_code == 200
    assert ticket.number.encode() in unassigned.content
    assert [q.count for q in unassigned.context["page"].fixed_queues if q.key == "unassigned"] == [
        1
    ]

    # when: the agent takes it
    taken = client.post(url("console-assign", ticket), {"assignee": "me"})
    # then: it moves to Mine and is open
    assert taken.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (agent, Ticket.Status.OPEN)
    assert ticket.number.encode() in client.get(url("console"), {"queue": "mine"}).content
    assert ticket.number.encode() not in client.get(url("console"), {"queue": "unassigned"}).content

    # when: an internal note
    noted = client.post(url("console-reply", ticket), {"body": NOTE, "visibility": "internal"})
    # then: staff see it, marked; the customer never does; the status stays
    assert noted.status_code == 302
    page = client.get(url("console-ticket", ticket)).content.decode()
    assert NOTE in page and "Internal note — not visible to the customer" in page
    customer_view = selectors.ticket_messages_for_user(user=customer, ticket=ticket)
    assert NOTE not in [m.body for m in customer_view]
    customer_page = client_for(customer).get(f"/requests/{ticket.number}/")
    assert customer_page.status_code == 200 and NOTE.encode() not in customer_page.content
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN

    # when: a public reply
    replied = client.post(url("console-reply", ticket), {"body": REPLY, "visibility": "public"})
    # then: the customer sees it and the ticket waits on them
    assert replied.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert REPLY.encode() in client_for(customer).get(f"/requests/{ticket.number}/").content
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds[-3:] == [TicketEvent.Kind.NOTE, TicketEvent.Kind.REPLIED, TicketEvent.Kind.STATUS]


def test_console_reply_without_a_choice_is_an_internal_note(agent, ticket):
    # when: a form that lost its button value (old browser, script)
    client_for(agent).post(url("console-reply", ticket), {"body": NOTE})
    # then: never a public reply by accident
    assert ticket.messages.last().visibility == TicketMessage.Visibility.INTERNAL


def test_console_reply_attaches_files(agent, ticket):
    # given
    upload = SimpleUploadedFile("screenshot.png", PNG, content_type="image/png")
    # when
    client = client_for(agent)
    client.post(
        url("console-reply", ticket), {"body": REPLY, "visibility": "public", "files": [upload]}
    )
    # then
    message = ticket.messages.last()
    assert [a.original_name for a in message.attachments.all()] == ["screenshot.png"]
    assert b"screenshot.png" in client.get(url("console-ticket", ticket)).content


def test_console_reply_refused_by_the_service_shows_400_and_keeps_the_draft(agent, ticket):
    # when
    response = client_for(agent).post(
        url("console-reply", ticket), {"body": "   ", "visibility": "public"}
    )
    # then
    assert response.status_code == 400
    assert b"Write a message." in response.content
    assert ticket.messages.count() == 1


def test_console_assigns_to_a_chosen_agent_and_back_to_nobody(agent, ticket):
    # given
    colleague = make_user("colleague@example.test", Role.AGENT)
    client = client_for(agent)
    # when
    client.post(url("console-assign", ticket), {"assignee": str(colleague.id)})
    ticket.refresh_from_db()
    assigned = ticket.assignee
    client.post(url("console-assign", ticket), {"assignee": ""})
    ticket.refresh_from_db()
    # then
    assert (assigned, ticket.assignee) == (colleague, None)


@pytest.mark.parametrize("choice", ["customer", "999999", "abc"])
def test_console_assign_refuses_someone_who_is_not_an_agent(customer, agent, ticket, choice):
    # given
    value = str(customer.id) if choice == "customer" else choice
    # when
    response = client_for(agent).post(url("console-assign", ticket), {"assignee": value})
    # then
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.status == Ticket.Status.NEW


def test_console_illegal_status_change_gets_400_and_changes_nothing(agent, ticket):
    # when: new → closed skips solved
    response = client_for(agent).post(url("console-status", ticket), {"status": "closed"})
    # then
    assert response.status_code == 400
    assert b"cannot become" in response.content
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
    assert list(ticket.events.values_list("kind", flat=True)) == [TicketEvent.Kind.CREATED]


def test_console_status_and_priority_changes_are_saved_and_shown_in_the_timeline(agent, ticket):
    # given
    client = client_for(agent)
    # when
    client.post(url("console-status", ticket), {"status": "on_hold"})
    client.post(url("console-priority", ticket), {"priority": "urgent"})
    page = client.get(url("console-ticket", ticket)).content.decode()
    # then
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == (Ticket.Status.ON_HOLD, Ticket.Priority.URGENT)
    assert "New → On hold" in page and "Normal → Urgent" in page
    assert "agent" in page


def test_console_ticket_offers_only_the_allowed_status_changes(agent, ticket):
    # given
    services.ticket_change_status(actor=agent, ticket=ticket, status=Ticket.Status.SOLVED)
    # when
    response = client_for(agent).get(url("console-ticket", ticket))
    # then: solved may only reopen or close
    assert [value for value, _label in response.context["view"].transitions] == [
        "open",
        "closed",
    ]


def test_console_unknown_priority_gets_400(agent, ticket):
    # when
    response = client_for(agent).post(url("console-priority", ticket), {"priority": "asap"})
    # then
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.NORMAL


def test_console_ticket_shows_fields_and_the_requesters_other_tickets(customer, agent):
    # given
    older = [make_ticket(customer, f"Earlier problem {i}") for i in range(6)]
    deposit = make_ticket(
        customer,
        "Deposit missing",
        ticket_type=TicketType.objects.get(slug="deposit-not-credited"),
        field_values={
            "uid": "12345678",
            "coin": "USDT",
            "network": "TRC20",
            "amount": "10",
            "txid": TXID,
        },
    )
    # when
    response = client_for(agent).get(url("console-ticket", deposit))
    # then
    body = response.content.decode()
    assert TXID in body and "TRC20" in body and str(customer.uid) in body
    assert customer.email in body
    recent = response.context["view"].requester_recent
    assert [t.number for t in recent] == [t.number for t in reversed(older[1:])]


# ---------------------------------------------------------------------------- teams


def test_console_agent_of_team_a_does_not_see_team_b_but_a_supervisor_does(customer):
    # given
    team_a = Team.objects.create(slug="team-a", name_en="A", name_zh_hans="甲")
    team_b = Team.objects.create(slug="team-b", name_en="B", name_zh_hans="乙")
    agent_a = make_user("a@example.test", Role.AGENT)
    team_a.members.add(agent_a)
    team_b.members.add(make_user("b@example.test", Role.AGENT))
    boss = make_user("boss@example.test", Role.SUPERVISOR)
    types = TicketType.objects.in_bulk(["app-website", "other"], field_name="slug")
    types["app-website"].team, types["other"].team = team_a, team_b
    for ticket_type in types.values():
        ticket_type.save()
    for_a = make_ticket(customer, "Team A ticket", ticket_type=types["app-website"])
    for_b = make_ticket(customer, "Team B ticket", ticket_type=types["other"])
    # when
    a_queue = client_for(agent_a).get(url("console"), {"queue": "all"}).content
    a_detail = client_for(agent_a).get(url("console-ticket", for_b))
    a_write = client_for(agent_a).post(url("console-assign", for_b), {"assignee": "me"})
    boss_queue = client_for(boss).get(url("console"), {"queue": "all"}).content
    # then
    assert for_a.number.encode() in a_queue and for_b.number.encode() not in a_queue
    assert a_detail.status_code == 404 and a_write.status_code == 404
    assert for_a.number.encode() in boss_queue and for_b.number.encode() in boss_queue


# ---------------------------------------------------------------------------- queue page


def test_console_queue_pages_with_next_links_and_constant_queries(customer, agent):
    # given
    for i in range(120):
        make_ticket(customer, f"Ticket {i}")
    client = client_for(agent)
    first = client.get(url("console"), {"queue": "all", "status": "new"})
    next_link = html.unescape(re.search(r'rel="next" href="([^"]+)"', first.content.decode())[1])
    second = client.get(url("console") + next_link)
    cursor = second.context["page"].next_cursor
    # when
    with CaptureQueriesContext(connection) as page_1:
        client.get(url("console"), {"queue": "all"})
    with CaptureQueriesContext(connection) as page_3:
        third = client.get(url("console"), {"queue": "all", "after": cursor})
    # then
    assert b"Next page" in first.content and b"Next page" not in third.content
    assert "status=new" in next_link  # the link keeps the filters
    second_page = {t.number for t in second.context["page"].tickets}
    assert len(second_page) == 50
    assert not second_page & {t.number for t in first.context["page"].tickets}
    assert len(third.context["page"].tickets) == 20
    assert len(page_1.captured_queries) == len(page_3.captured_queries)


def test_console_queue_counts_refresh_shows_the_new_counts_of_the_current_queue(customer, agent):
    # given: the page was drawn with one unassigned ticket, then another arrives
    make_ticket(customer, "First")
    before = client_for(agent).get(url("console"), {"queue": "unassigned"})
    make_ticket(customer, "Second")
    # when
    response = client_for(agent).get(url("console-queues"), {"queue": "unassigned"})
    # then
    body = response.content.decode()
    assert 'data-refresh-url="/console/queues?queue=unassigned"' in before.content.decode()
    assert response.status_code == 200 and "<html" not in body
    current = re.search(
        r'aria-current="page">\s*<span class="queue-label">([^<]+)</span>\s*'
        r'<span class="queue-count">(\d+)',
        body,
    )
    assert current[1] == "Unassigned" and current[2] == "2"


def test_console_queue_search_box_finds_by_txid(customer, agent):
    # given
    make_ticket(customer, "Unrelated")
    deposit = make_ticket(
        customer,
        "Deposit missing",
        ticket_type=TicketType.objects.get(slug="deposit-not-credited"),
        field_values={
            "uid": "12345678",
            "coin": "USDT",
            "network": "TRC20",
            "amount": "10",
            "txid": TXID,
        },
    )
    # when
    response = client_for(agent).get(url("console"), {"queue": "all", "q": TXID})
    # then
    assert [t.number for t in response.context["page"].tickets] == [deposit.number]


@pytest.mark.parametrize(
    "params",
    [
        {"after": "not|a|cursor"},
        {"after": "2024-01-01T00:00:00Z|1e9"},
        {"queue": "type:<script>"},
        {"queue": "x" * 1000},
        {"status": "??", "priority": "[]", "assignee": "-1", "team": "%00"},
        {"created_from": "31/12/2024", "created_to": "0000-00-00"},
        {"q": "\x00\x00"},
        {"tag": "\x00"},
    ],
)
def test_console_queue_survives_malformed_cursors_and_filters(agent, ticket, params):
    # when
    response = client_for(agent).get(url("console"), {"queue": "all", **params})
    # then: a NUL is refused before any view (core.input_guard); the rest reach the queue
    assert response.status_code == (400 if "\x00" in "".join(params.values()) else 200)


def test_console_queue_labels_every_filter_control(agent, ticket):
    # when
    page = client_for(agent).get(url("console")).content.decode()
    # then
    for control in ["console-q", "f-status", "f-priority", "f-type", "f-channel", "f-assignee",
                    "f-team", "f-tag", "f-language", "f-from", "f-to"]:  # fmt: skip
        assert f'for="{control}"' in page and f'id="{control}"' in page


def test_console_queue_speaks_chinese(agent, ticket):
    # given
    client = client_for(agent)
    client.cookies["beacon_language"] = "zh-hans"
    # when
    response = client.get(url("console"), {"queue": "all"})
    # then: the type is named in Chinese (translated UI strings come from the .po files)
    assert response.status_code == 200
    assert "其他" in response.content.decode()
