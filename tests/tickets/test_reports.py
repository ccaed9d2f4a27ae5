"""The supervisor dashboard: figures from real tickets, CSV export, access."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_role_grant
from tickets import services
from tickets.models import SlaPolicy, Ticket, TicketType
from tickets.sla.sweep import sla_sweep

pytestmark = pytest.mark.django_db
PASSWORD = "pw-long-enough-1"


def person(email: str, role: Role | None = None) -> User:
    user = User.objects.create_user(email, PASSWORD)
    if role:
        user_role_grant(user=user, role=role)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def file_ticket(customer: User, subject: str = "Help") -> Ticket:
    return services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="other"),
        subject=subject,
        body="Please.",
        field_values={},
    )


def kpi(page: str, name: str) -> str:
    return re.search(rf'data-testid="kpi-{name}">([^<]*)<', page)[1]


@pytest.fixture
def world():
    """Four tickets under a 60-minute first-response target: one answered in time and
    rated 5, one answered and rated 2, one breached, one without a policy's clock."""
    customer = person("customer@example.test")
    agent = person("agent@example.test", Role.AGENT)
    boss = person("boss@example.test", Role.SUPERVISOR)
    SlaPolicy.objects.create(name="Any", first_response_minutes=60)
    quick, slow, late = (file_ticket(customer, s) for s in ("Quick", "Slow", "Late"))
    for ticket, rating in ((quick, 5), (slow, 2)):
        services.ticket_reply(actor=agent, ticket=ticket, body="Done.")
        services.ticket_change_status(actor=agent, ticket=ticket, status=Ticket.Status.SOLVED)
        services.ticket_rate(actor=customer, ticket=ticket, rating=rating)
    sla_sweep(now=late.created_at + dt.timedelta(minutes=61))
    return {"customer": customer, "agent": agent, "boss": boss, "late": late}


def test_dashboard_shows_compliance_csat_and_backlog(world):
    # when
    response = client_for(world["boss"]).get(reverse("tickets:reports"))
    # then: the late ticket breached; the two answered ones did not
    page = response.content.decode()
    assert response.status_code == 200
    assert kpi(page, "tickets") == "3"
    assert kpi(page, "compliance") == "66.7 %"
    assert kpi(page, "csat") == "3.5 / 5"
    assert kpi(page, "first-response") == "0 min"
    assert "33.3 %" not in page  # compliance is of met tickets, per group
    assert "66.7 % (2/3)" in page  # the by-type row for Other


def test_dashboard_is_for_supervisors_only(world):
    # when
    as_agent = client_for(world["agent"]).get(reverse("tickets:reports"))
    as_customer = client_for(world["customer"]).get(reverse("tickets:reports-csv"))
    anonymous = Client().get(reverse("tickets:reports"))
    # then
    assert as_agent.status_code == 403 and as_customer.status_code == 403
    assert anonymous.status_code == 302


def test_csv_export_has_a_row_per_ticket_with_its_breach(world):
    # when
    response = client_for(world["boss"]).get(reverse("tickets:reports-csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    # then
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][0] == "number" and len(rows) == 4
    by_number = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_number[world["late"].number]["sla_breached"] == "yes"
    assert sorted(r["rating"] for r in by_number.values()) == ["", "2", "5"]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "yesterday", "to": "2026-13-45"},
        {"from": "1900-01-01", "to": "9999-12-31"},
        {"team": "no-such-team"},
        {"from": "2026-05-10", "to": "2026-05-01"},
    ],
)
def test_dashboard_survives_malformed_filters(world, params):
    # when
    response = client_for(world["boss"]).get(reverse("tickets:reports"), params)
    # then
    assert response.status_code == 200


def test_a_range_outside_the_tickets_counts_nothing(world):
    # when
    last_year = (timezone.localdate() - dt.timedelta(days=400)).isoformat()
    page = (
        client_for(world["boss"])
        .get(reverse("tickets:reports"), {"from": last_year, "to": last_year})
        .content.decode()
    )
    # then
    assert kpi(page, "tickets") == "0" and kpi(page, "compliance") == "—"


def test_dashboard_speaks_chinese(world):
    # given
    User.objects.filter(id=world["boss"].id).update(language="zh-hans")
    # when
    page = client_for(world["boss"]).get(reverse("tickets:reports")).content.decode()
    # then
    assert "<h1>客服数据看板</h1>" in page and "导出 CSV" in page


def test_dashboard_shows_chat_volume_wait_first_response_abandonment_and_containment(world):
    from livechat.models import ChatMessage, Conversation

    # given: four chats today: the bot alone (ended), a queued one abandoned, and two an
    # agent took after 2 and 4 minutes of waiting and answered 1 minute later
    boss = User.objects.get(email="boss@example.test")
    agent = User.objects.get(email="agent@example.test")
    now = timezone.now()
    Conversation.objects.create(language="en", status="ended", visitor_key="v1", ended_at=now)
    Conversation.objects.create(
        language="zh-hans", status="ended", visitor_key="v2", queued_at=now, ended_at=now
    )
    for n, wait in enumerate((2, 4), start=1):
        chat = Conversation.objects.create(
            language="zh-hans",
            status="ended",
            customer=person(f"c{n}@example.test"),
            agent=agent,
            queued_at=now - dt.timedelta(minutes=10),
            assigned_at=now - dt.timedelta(minutes=10 - wait),
            ended_at=now,
        )
        ChatMessage.objects.create(
            conversation=chat,
            seq=1,
            sender="agent",
            author=agent,
            body="Hello",
            created_at=chat.assigned_at + dt.timedelta(minutes=1),
        )
    # when: the supervisor opens the dashboard
    page = client_for(boss).get(reverse("tickets:reports")).content.decode()
    # then: the chat figures
    assert kpi(page, "chats") == "4"
    assert kpi(page, "chat-wait") == "3 min"
    assert kpi(page, "chat-first-response") == "1 min"
    assert kpi(page, "chat-abandoned") == "33.3 % (1/3)"
    assert kpi(page, "chat-contained") == "25.0 % (1/4)"
    # and every bar is labelled, with its value in words (3 chats in Chinese)
    bar = r'<th scope="row">([^<]+)</th><td><meter[^>]*></meter> <span class="bar-value">3</span>'
    assert re.search(bar, page)
