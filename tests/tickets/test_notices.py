"""Who hears about what: customer emails and staff bells written with each ticket change."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from accounts.models import Role, User
from accounts.services import user_role_grant
from notifications.models import Notification
from tickets import services
from tickets.models import SlaPolicy, Ticket, TicketType
from tickets.sla.sweep import sla_sweep
from tickets.waiting import waiting_sweep

pytestmark = pytest.mark.django_db
PASSWORD = "pw-long-enough-1"
DAY = dt.timedelta(days=1)


def person(email: str, role: Role | None = None, **fields) -> User:
    user = User.objects.create_user(email, PASSWORD, **fields)
    if role:
        user_role_grant(user=user, role=role)
    return User.objects.get(id=user.id)


def file_ticket(customer: User) -> Ticket:
    return services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Deposit missing",
        body="Please check.",
        field_values={},
        language=customer.language,
    )


def rows(kind: str, **filters) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind, **filters).order_by("id"))


@pytest.fixture
def customer() -> User:
    return person("customer@example.test", first_name="Lin")


@pytest.fixture
def agent() -> User:
    return person("agent@example.test", Role.AGENT)


@pytest.fixture
def boss() -> User:
    return person("boss@example.test", Role.SUPERVISOR)


# ---------------------------------------------------------------------------- customers


def test_customer_gets_received_reply_and_solved_emails_but_never_a_note(
    customer, agent, mailoutbox, deliver_outbox
):
    # given
    SlaPolicy.objects.create(name="Any", first_response_minutes=120)
    ticket = file_ticket(customer)
    # when
    services.ticket_reply(actor=agent, ticket=ticket, body="Internal-Zq: looks odd", internal=True)
    services.ticket_reply(actor=agent, ticket=ticket, body="Public-Kx: found it, credited.")
    services.ticket_change_status(actor=agent, ticket=ticket, status=Ticket.Status.SOLVED)
    deliver_outbox()
    # then
    subjects = [m.subject for m in mailoutbox]
    assert subjects == [
        f"[Beacon] We received your request {ticket.number}",
        f"[Beacon] New reply to your request {ticket.number}",
        f"[Beacon] Your request {ticket.number} is solved",
    ]
    received, replied, solved = mailoutbox
    assert "We aim to reply by" in received.body
    assert "Public-Kx" in replied.body and "Public-Kx" in replied.alternatives[0][0]
    assert not any(
        "Internal-Zq" in m.body or "Internal-Zq" in m.alternatives[0][0] for m in mailoutbox
    )
    rating_url = re.search(r"http\S+/rate/\S+/", solved.body)[0]
    page = Client().get(rating_url.split("://", 1)[1].partition("/")[2].join(["/", ""]))
    assert page.status_code == 200


def test_waiting_customer_is_reminded_once_after_three_days_then_solved_after_seven(
    customer, agent, mailoutbox, deliver_outbox
):
    # given: the agent asked a question four days ago
    ticket = file_ticket(customer)
    services.ticket_reply(actor=agent, ticket=ticket, body="Which network did you use?")
    Ticket.objects.filter(id=ticket.id).update(sla_paused_at=ticket.created_at - 4 * DAY)
    # when
    first = waiting_sweep()
    again = waiting_sweep()
    Ticket.objects.filter(id=ticket.id).update(sla_paused_at=ticket.created_at - 8 * DAY)
    solved = waiting_sweep()
    deliver_outbox()
    # then
    assert first == (1, 0) and solved == (0, 1)
    assert len(rows("ticket.pending_reminder")) == 1  # the second sweep reminded nobody twice
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    assert ticket.events.get(kind="status", to_value="solved").actor is None
    automatic = [m for m in mailoutbox if "is solved" in m.subject]
    assert len(automatic) == 1 and "did not hear back from you" in automatic[0].body
    assert again == (1, 0)  # counted, but its row already existed


def test_customer_answer_before_seven_days_keeps_the_ticket_open(customer, agent):
    # given
    ticket = file_ticket(customer)
    services.ticket_reply(actor=agent, ticket=ticket, body="Which network?")
    Ticket.objects.filter(id=ticket.id).update(sla_paused_at=ticket.created_at - 8 * DAY)
    services.ticket_reply(actor=customer, ticket=ticket, body="TRC20")
    # when
    result = waiting_sweep()
    # then
    ticket.refresh_from_db()
    assert result == (0, 0) and ticket.status == Ticket.Status.OPEN


def test_reminder_email_is_in_the_customers_language(mailoutbox, deliver_outbox, agent):
    # given
    chinese = person("zh@example.test", language="zh-hans")
    ticket = file_ticket(chinese)
    services.ticket_reply(actor=agent, ticket=ticket, body="请提供交易哈希。")
    Ticket.objects.filter(id=ticket.id).update(sla_paused_at=ticket.created_at - 4 * DAY)
    # when
    waiting_sweep()
    deliver_outbox()
    # then
    reminder = [m for m in mailoutbox if ticket.number in m.subject and "等待" in m.subject]
    assert len(reminder) == 1


# ---------------------------------------------------------------------------- staff


def test_assignment_rings_the_assignees_bell_unless_they_took_it_themselves(customer, agent, boss):
    # given
    ticket = file_ticket(customer)
    other = file_ticket(customer)
    # when
    services.ticket_assign(actor=boss, ticket=ticket, assignee=agent)
    services.ticket_assign(actor=agent, ticket=other, assignee=agent)
    # then
    bells = rows("ticket.assigned", channel="bell")
    assert [(b.recipient, b.context["number"]) for b in bells] == [(agent, ticket.number)]
    email = rows("ticket.assigned", channel="email")
    assert [e.status for e in email] == ["skipped"]  # email is opt-in for assignments


def test_customer_reply_rings_the_assignee_and_followers(customer, agent, boss):
    # given
    ticket = file_ticket(customer)
    services.ticket_assign(actor=agent, ticket=ticket, assignee=agent)
    services.ticket_follow(actor=boss, ticket=ticket)
    # when
    services.ticket_reply(actor=customer, ticket=ticket, body="Any news?")
    # then
    recipients = {b.recipient for b in rows("ticket.customer_replied", channel="bell")}
    assert recipients == {agent, boss}


def test_complaint_rings_every_supervisor(customer, agent, boss):
    # given
    ticket = file_ticket(customer)
    services.ticket_change_status(actor=agent, ticket=ticket, status=Ticket.Status.SOLVED)
    # when
    complaint = services.ticket_complain(actor=customer, ticket=ticket, body="Too slow.")
    # then
    bells = rows("ticket.complaint_received", channel="bell")
    assert [(b.recipient, b.context["number"]) for b in bells] == [(boss, complaint.number)]


def test_sla_warning_tells_the_assignee_and_breach_tells_supervisors_by_email_too(
    customer, agent, boss, mailoutbox, deliver_outbox
):
    # given
    SlaPolicy.objects.create(name="Any", first_response_minutes=60)
    ticket = file_ticket(customer)
    services.ticket_assign(actor=agent, ticket=ticket, assignee=agent)
    # when
    sla_sweep(now=ticket.created_at + dt.timedelta(minutes=50))
    sla_sweep(now=ticket.created_at + dt.timedelta(minutes=61))
    sla_sweep(now=ticket.created_at + dt.timedelta(minutes=90))
    deliver_outbox()
    # then
    assert [b.recipient for b in rows("sla.at_risk", channel="bell")] == [agent]
    assert {b.recipient for b in rows("sla.breached", channel="bell")} == {agent, boss}
    breach_mail = [m for m in mailoutbox if m.subject.startswith("SLA breached")]
    assert sorted(m.to[0] for m in breach_mail) == [agent.email, boss.email]
    assert "First response" in breach_mail[0].body
