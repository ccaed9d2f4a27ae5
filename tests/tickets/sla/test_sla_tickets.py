"""SLA clocks on real tickets: due times from policies and calendars, pauses, escalation."""

from __future__ import annotations

import datetime as dt
import re
import threading
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from accounts.services import user_role_grant
from helpcenter.models import BusinessCalendar, BusinessHours
from tickets import services
from tickets.models import SlaEscalation, SlaPolicy, Team, Ticket, TicketEvent, TicketType
from tickets.sla import service as sla
from tickets.sla.sweep import sla_sweep

PASSWORD = "pw-long-enough-1"
MINUTE = dt.timedelta(minutes=1)


def person(email: str, role: Role | None = None) -> User:
    user = User.objects.create_user(email, PASSWORD)
    if role:
        user_role_grant(user=user, role=role)
    return User.objects.get(id=user.id)


def policy(priority: str = "", **minutes: int) -> SlaPolicy:
    return SlaPolicy.objects.create(
        name=f"Other {priority or 'any'}",
        ticket_type=TicketType.objects.get(slug="other"),
        priority=priority,
        **{f"{target}_minutes": value for target, value in minutes.items()},
    )


def file_ticket(customer: User, priority: str = Ticket.Priority.NORMAL) -> Ticket:
    return services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Withdrawal stuck",
        body="Please help.",
        field_values={},
        priority=priority,
    )


def backdate(ticket: Ticket, **changes: object) -> Ticket:
    """Move a ticket's history into the past, then let the clocks recompute from it."""
    Ticket.objects.filter(id=ticket.id).update(**changes)
    ticket = Ticket.objects.get(id=ticket.id)
    ticket.save(update_fields=sla.sla_refresh(ticket))
    return ticket


@pytest.fixture
def customer(db) -> User:
    return person("customer@example.test")


@pytest.fixture
def agent(db) -> User:
    return person("agent@example.test", Role.AGENT)


# ---------------------------------------------------------------------------- due times


@pytest.mark.django_db
def test_new_ticket_is_due_for_a_first_response_by_its_policy(customer):
    # given
    policy(first_response=60, resolution=600)
    # when
    ticket = file_ticket(customer)
    # then
    assert ticket.sla_target == "first_response"
    assert ticket.sla_due_at == ticket.created_at + 60 * MINUTE
    assert ticket.sla_warn_at == ticket.created_at + 45 * MINUTE
    assert ticket.sla_next_check_at == ticket.sla_warn_at


@pytest.mark.django_db
def test_ticket_without_a_policy_has_no_clock(customer):
    # when
    ticket = file_ticket(customer)
    # then
    assert ticket.sla_policy is None and ticket.sla_due_at is None
    assert ticket.sla_next_check_at is None


@pytest.mark.django_db
def test_due_time_follows_the_team_calendar_over_a_weekend(customer):
    # given: a team on Shanghai office hours, Mon–Fri 09:00–18:00
    calendar = BusinessCalendar.objects.create(
        slug="cn-office", name="CN office", time_zone="Asia/Shanghai"
    )
    for weekday in range(5):
        BusinessHours.objects.create(
            calendar=calendar, weekday=weekday, opens=dt.time(9), closes=dt.time(18)
        )
    team = Team.objects.create(slug="cn", name_en="CN", name_zh_hans="中文", calendar=calendar)
    TicketType.objects.filter(slug="other").update(team=team)
    policy(first_response=60)
    ticket = file_ticket(customer)
    # when: it arrived on Friday at 17:30 Shanghai time (09:30 UTC)
    friday = dt.datetime(2026, 3, 13, 9, 30, tzinfo=dt.UTC)
    ticket = backdate(ticket, created_at=friday)
    # then: 30 minutes on Friday, 30 on Monday morning: Monday 09:30 Shanghai
    assert ticket.sla_due_at == dt.datetime(2026, 3, 16, 1, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_agent_reply_meets_the_first_response_and_waiting_stops_the_resolution_clock(
    customer, agent
):
    # given
    policy(first_response=60, next_response=120, resolution=600)
    ticket = file_ticket(customer)
    # when: the agent answers and asks the customer something
    services.ticket_reply(actor=agent, ticket=ticket, body="Which network did you use?")
    ticket.refresh_from_db()
    # then
    assert ticket.status == Ticket.Status.PENDING
    assert ticket.first_responded_at is not None
    assert ticket.sla_paused_at is not None
    assert ticket.sla_due_at is None  # nothing runs while the customer has the ball


@pytest.mark.django_db
def test_customer_answer_resumes_the_clock_later_by_the_time_it_waited(customer, agent):
    # given: it waited on the customer for the last two hours
    policy(first_response=60, next_response=120, resolution=600)
    ticket = file_ticket(customer)
    services.ticket_reply(actor=agent, ticket=ticket, body="Which network?")
    created = ticket.created_at - 3 * dt.timedelta(hours=1)
    ticket = backdate(ticket, created_at=created, sla_paused_at=created + dt.timedelta(hours=1))
    # when
    message = services.ticket_reply(actor=customer, ticket=ticket, body="TRC20.")
    ticket.refresh_from_db()
    # then: the next response is due in two hours; resolution later by the wait
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.sla_paused_at is None
    waited = ticket.sla_paused
    assert dt.timedelta(hours=2) <= waited < dt.timedelta(hours=2, minutes=1)
    assert ticket.awaiting_reply_since == message.created_at
    assert ticket.sla_target == "next_response"
    assert ticket.sla_due_at == message.created_at + 120 * MINUTE
    resolution = [c for c in sla.clocks_of(ticket, sla.SlaRules.load()) if c.target == "resolution"]
    assert resolution[0].due_at == created + 600 * MINUTE + waited


@pytest.mark.django_db
def test_priority_change_gives_the_due_times_of_a_ticket_created_at_that_priority(customer, agent):
    # given
    policy(Ticket.Priority.NORMAL, first_response=240, resolution=2400)
    policy(Ticket.Priority.URGENT, first_response=15, resolution=240)
    changed = file_ticket(customer)
    born_urgent = file_ticket(customer, Ticket.Priority.URGENT)
    # when
    changed = services.ticket_change_priority(
        actor=agent, ticket=changed, priority=Ticket.Priority.URGENT
    )
    # then
    assert changed.sla_policy == born_urgent.sla_policy
    assert (
        changed.sla_due_at - changed.created_at == born_urgent.sla_due_at - born_urgent.created_at
    )
    assert changed.sla_due_at - changed.created_at == 15 * MINUTE


@pytest.mark.django_db
def test_solved_ticket_has_no_running_clock(customer, agent):
    # given
    policy(first_response=60, resolution=600)
    ticket = file_ticket(customer)
    # when
    ticket = services.ticket_change_status(actor=agent, ticket=ticket, status=Ticket.Status.SOLVED)
    # then
    assert ticket.sla_due_at is None and ticket.sla_next_check_at is None


# ---------------------------------------------------------------------------- escalation


@pytest.mark.django_db
def test_sweep_warns_at_75_percent_then_escalates_at_breach_once_each(customer, agent):
    # given
    escalations = Team.objects.create(
        slug="escalations", name_en="Escalations", name_zh_hans="升级"
    )
    rule = policy(first_response=60)
    rule.move_to_team_on_breach = escalations
    rule.save()
    ticket = file_ticket(customer)
    services.ticket_assign(actor=agent, ticket=ticket, assignee=agent)
    created = ticket.created_at
    # when
    early = sla_sweep(now=created + 30 * MINUTE)
    warned = sla_sweep(now=created + 46 * MINUTE)
    warned_again = sla_sweep(now=created + 50 * MINUTE)
    breached = sla_sweep(now=created + 61 * MINUTE)
    breached_again = sla_sweep(now=created + 90 * MINUTE)
    # then
    assert early.tickets == 0  # not due: not even read
    assert [(s.target, s.step) for s in warned.steps] == [("first_response", "warning")]
    assert warned_again.steps == []
    assert [(s.target, s.step) for s in breached.steps] == [("first_response", "breach")]
    assert breached_again.steps == []
    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.HIGH
    assert ticket.team == escalations
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds.count("sla_warning") == 1 and kinds.count("sla_breach") == 1
    assert TicketEvent.Kind.TEAM in kinds
    assert SlaEscalation.objects.filter(ticket=ticket).count() == 2


@pytest.mark.django_db
def test_sweep_reads_the_same_number_of_queries_for_five_or_fifty_due_tickets(customer):
    # given
    policy(first_response=60)
    tickets = [file_ticket(customer) for _ in range(55)]
    later = max(t.created_at for t in tickets) + 61 * MINUTE

    def sweep_counting(ids):
        Ticket.objects.exclude(id__in=ids).update(sla_next_check_at=None)
        with CaptureQueriesContext(connection) as queries:
            result = sla_sweep(now=later)
        return result, len(queries)

    # when
    five, five_queries = sweep_counting([t.id for t in tickets[:5]])
    Ticket.objects.filter(id__in=[t.id for t in tickets[5:]]).update(
        sla_next_check_at=later - MINUTE
    )
    fifty, fifty_queries = sweep_counting([t.id for t in tickets[5:]])
    # then
    assert (five.tickets, fifty.tickets) == (5, 50)
    assert len(fifty.steps) == 100  # a warning and a breach each
    assert five_queries == fifty_queries


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_take_every_step_exactly_once():
    # given
    import_module("tickets.migrations.0002_ticket_types").create(django_apps, None)
    customer = person("racer@example.test")
    policy(first_response=60)
    tickets = [file_ticket(customer) for _ in range(40)]
    later = max(t.created_at for t in tickets) + 61 * MINUTE
    taken: list[list[tuple[int, str]]] = [[], []]
    start = threading.Barrier(2)

    def worker(slot: int) -> None:
        try:
            start.wait()
            while (result := sla_sweep(now=later, batch=3)).tickets:
                taken[slot].extend((s.ticket.id, s.step) for s in result.steps)
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=worker, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    every = taken[0] + taken[1]
    assert len(every) == len(set(every)) == 80
    assert SlaEscalation.objects.count() == 80
    assert TicketEvent.objects.filter(kind="sla_breach").count() == 40


@pytest.mark.django_db
def test_breaching_soon_queue_lists_tickets_at_risk_with_their_badge(customer, agent):
    # given: one ticket past its warning moment, one with time to spare
    from django.test import Client
    from django.urls import reverse

    from tickets import console

    policy(first_response=60)
    at_risk = file_ticket(customer)
    at_risk = backdate(at_risk, created_at=at_risk.created_at - 50 * MINUTE)
    calm = file_ticket(customer)
    client = Client()
    client.force_login(agent)
    # when
    counts = console.queue_counts(user=agent)
    page = client.get(reverse("tickets:console"), {"queue": "breaching"}).content.decode()
    # then
    assert counts["breaching"] == 1
    assert at_risk.number in page and calm.number not in page
    assert re.search(r'class="sla-state">At risk</span> · First response: \d+ min left', page)
