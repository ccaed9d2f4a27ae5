"""Which SLA policy and which business calendar apply to a ticket."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from helpcenter.hours import Schedule
from helpcenter.selectors import calendar_schedule
from tickets.batch import batch_cached
from tickets.models import SlaPolicy, Team, Ticket
from tickets.sla.clock import Targets

# Tickets of no team (or a team with no calendar) are served around the clock.
AROUND_THE_CLOCK = Schedule(time_zone="UTC", always_open=True, intervals=(), holidays=frozenset())


def _minutes(value: int | None) -> dt.timedelta | None:
    return None if value is None else dt.timedelta(minutes=value)


def targets_of(policy: SlaPolicy | None) -> Targets:
    if policy is None:
        return Targets()
    return Targets(
        first_response=_minutes(policy.first_response_minutes),
        next_response=_minutes(policy.next_response_minutes),
        resolution=_minutes(policy.resolution_minutes),
        warn_ratio=policy.warn_at_percent / 100,
    )


@dataclass
class SlaRules:
    """Every active policy and team calendar, read once: a sweep over a hundred tickets
    asks the database for them once, not a hundred times."""

    policies: dict[tuple[int | None, str], SlaPolicy]
    schedules: dict[int, Schedule]

    @classmethod
    def load(cls, *, ticket: Ticket | None = None) -> SlaRules:
        """All rules, or (for one ticket) only those that can apply to it (read once per
        kind of ticket in a batch: tickets.batch)."""
        if ticket is not None:
            key = ("sla_rules", ticket.type_id, ticket.priority, ticket.team_id)
            return batch_cached(key, lambda: cls._read(ticket))
        return cls._read(None)

    @classmethod
    def _read(cls, ticket: Ticket | None) -> SlaRules:
        policies = SlaPolicy.objects.filter(is_active=True)
        teams = Team.objects.filter(calendar__isnull=False)
        if ticket is not None:
            policies = policies.filter(
                Q(ticket_type_id=ticket.type_id) | Q(ticket_type__isnull=True),
                priority__in=[ticket.priority, ""],
            )
            teams = teams.filter(id=ticket.team_id)
        teams = teams.select_related("calendar").prefetch_related(
            "calendar__hours", "calendar__holidays"
        )
        return cls(
            {(policy.ticket_type_id, policy.priority): policy for policy in policies},
            {team.id: calendar_schedule(team.calendar) for team in teams},
        )

    def policy_for(self, ticket: Ticket) -> SlaPolicy | None:
        """The most specific policy: type and priority, type, priority, then catch-all."""
        for key in (
            (ticket.type_id, ticket.priority),
            (ticket.type_id, ""),
            (None, ticket.priority),
            (None, ""),
        ):
            if key in self.policies:
                return self.policies[key]
        return None

    def schedule_for(self, ticket: Ticket) -> Schedule:
        return self.schedules.get(ticket.team_id, AROUND_THE_CLOCK)
