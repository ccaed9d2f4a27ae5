"""The escalation sweep: warn before a target breaks, escalate when it does, once each.

Celery beat runs it every 30 seconds (`tickets.tasks.sla_sweep`); `manage.py sla_sweep`
runs it once. It reads only the tickets whose next step is due, through the partial index
on `sla_next_check_at`, and claims them with `SELECT … FOR UPDATE SKIP LOCKED`, so several
workers share the work without waiting on each other and none takes a step twice (the
unique key of SlaEscalation backs that up). Its queries do not depend on how many tickets
are due, only its batches do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from tickets import groups, notices
from tickets.models import SlaEscalation, Team, Ticket, TicketEvent
from tickets.sla import clock, service
from tickets.sla.policies import SlaRules

BATCH = 200
# What the clocks and the escalation need; the subject, fields and tags stay unread.
READ = [
    "number",
    "status",
    "priority",
    "type",
    "team",
    "assignee",
    "merged_into",
    "created_at",
    "updated_at",
]
# (plus the clock fields, service.FIELDS, added where READ is used)
P = Ticket.Priority
RAISED = {P.LOW: P.NORMAL, P.NORMAL: P.HIGH, P.HIGH: P.URGENT, P.URGENT: P.URGENT}


@dataclass
class Escalated:
    """One step taken: for the notifications sent after the sweep's writes."""

    ticket: Ticket
    target: str
    step: str
    due_at: dt.datetime


@dataclass
class SweepResult:
    tickets: int = 0
    steps: list[Escalated] = field(default_factory=list)


def sla_sweep(*, now: dt.datetime | None = None, batch: int = BATCH) -> SweepResult:
    """Take every due step of up to `batch` tickets in one transaction."""
    now = now or timezone.now()
    result = SweepResult()
    with transaction.atomic():
        tickets = list(
            Ticket.objects.select_for_update(skip_locked=True)
            .filter(sla_next_check_at__lte=now)
            .only(*READ, *service.FIELDS)
            .order_by("sla_next_check_at")[:batch]
        )
        if not tickets:
            return result
        rules = SlaRules.load()
        team_slugs = dict(Team.objects.values_list("id", "slug"))
        fired = service.fired_steps([ticket.id for ticket in tickets])
        escalations: list[SlaEscalation] = []
        events: list[TicketEvent] = []
        for ticket in tickets:
            taken = _due_steps(ticket, rules, fired[ticket.id], now)
            for step in taken:
                escalations.append(
                    SlaEscalation(
                        ticket_id=ticket.id,
                        target=step.target,
                        step=step.step,
                        cycle=step.cycle,
                        due_at=step.due_at,
                        happened_at=now,
                    )
                )
                kind = (
                    TicketEvent.Kind.SLA_BREACH
                    if step.step == clock.Step.BREACH
                    else TicketEvent.Kind.SLA_WARNING
                )
                events.append(TicketEvent(ticket_id=ticket.id, kind=kind, to_value=step.target))
                result.steps.append(Escalated(ticket, step.target, step.step, step.due_at))
            if any(step.step == clock.Step.BREACH for step in taken):
                events.extend(_escalate(ticket, rules, team_slugs))
                ticket.updated_at = now
            service.sla_refresh(ticket, rules=rules, fired=fired[ticket.id])
        SlaEscalation.objects.bulk_create(escalations)
        TicketEvent.objects.bulk_create(events)
        _write_back(tickets)
        result.tickets = len(tickets)
        notices.sla_steps(result.steps)  # the assignee, and for a breach the supervisors
        if result.steps:
            groups.queues_changed_on_commit()
    return result


@dataclass(frozen=True)
class _Step:
    target: str
    step: str
    cycle: str
    due_at: dt.datetime


def _due_steps(
    ticket: Ticket, rules: SlaRules, fired: service.Fired, now: dt.datetime
) -> list[_Step]:
    """The steps of running clocks whose moment has come and that were not taken yet;
    marks them taken in `fired`."""
    steps = []
    for running in service.clocks_of(ticket, rules):
        for step, moment in clock.step_times(running):
            key = (running.target.value, step.value, running.cycle)
            if moment <= now and key not in fired:
                fired.add(key)
                steps.append(_Step(running.target.value, step.value, running.cycle, running.due_at))
    return steps


def _escalate(ticket: Ticket, rules: SlaRules, team_slugs: dict[int, str]) -> list[TicketEvent]:
    """A breach raises the priority and moves the ticket to another team, where its policy
    says so. The steps already taken stay taken, so the new policy cannot loop."""
    policy = rules.policy_for(ticket)
    events = []
    if policy is None:
        return events
    if policy.raise_priority_on_breach and RAISED[ticket.priority] != ticket.priority:
        before, ticket.priority = ticket.priority, RAISED[ticket.priority]
        events.append(
            TicketEvent(
                ticket=ticket,
                kind=TicketEvent.Kind.PRIORITY,
                from_value=before,
                to_value=ticket.priority,
            )
        )
    team_id = policy.move_to_team_on_breach_id
    if team_id is not None and ticket.team_id != team_id:
        before = team_slugs.get(ticket.team_id, "")
        ticket.team_id = team_id
        events.append(
            TicketEvent(
                ticket=ticket,
                kind=TicketEvent.Kind.TEAM,
                from_value=before,
                to_value=team_slugs.get(team_id, ""),
            )
        )
    return events


WRITTEN = ["priority", "team", "updated_at", *service.FIELDS]


def _write_back(tickets: list[Ticket]) -> None:
    """Save the swept tickets' changed fields in one statement.

    On PostgreSQL an UPDATE … FROM (VALUES …): Django's bulk_update builds a CASE per
    field and row, which costs more than the rest of the sweep together.
    """
    if connection.vendor != "postgresql":
        Ticket.objects.bulk_update(tickets, WRITTEN)
        return
    fields = [Ticket._meta.get_field(name) for name in WRITTEN]
    columns = [field.column for field in fields]
    casts = [field.db_type(connection) for field in fields]
    row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    params: list[object] = []
    for ticket in tickets:
        params.append(ticket.id)
        params.extend(
            field.get_db_prep_save(getattr(ticket, field.attname), connection) for field in fields
        )
    assignments = ", ".join(
        f'"{column}" = v."{column}"::{cast}' for column, cast in zip(columns, casts, strict=True)
    )
    names = ", ".join(['"id"', *(f'"{column}"' for column in columns)])
    sql = (
        f'UPDATE "{Ticket._meta.db_table}" AS t SET {assignments} '
        f"FROM (VALUES {', '.join([row] * len(tickets))}) AS v({names}) "
        'WHERE t."id" = v."id"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
