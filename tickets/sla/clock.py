"""SLA due times as a pure function of the targets, the calendar and the ticket's history.

Nothing here reads the database, so the arithmetic can be property-tested on its own.
Three targets run, each in business time of the ticket's team calendar:

- first response: from creation until the first public agent reply;
- next response: from the customer's oldest unanswered message until an agent answers;
- resolution: from creation until solved, stopped while the ticket waits on the customer
  (or is solved, in case it reopens). Stopped time is carried as `paused`, exactly, so a
  pause never moves a due time earlier and a change of policy recomputes from the same
  history as if the ticket had been created under the new policy.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, replace

from helpcenter.hours import Schedule, add_business_time, business_time_between


class Target(enum.StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class Step(enum.StrEnum):
    WARNING = "warning"
    BREACH = "breach"


@dataclass(frozen=True)
class Targets:
    """Business time allowed per target; None: the policy sets no such target."""

    first_response: dt.timedelta | None = None
    next_response: dt.timedelta | None = None
    resolution: dt.timedelta | None = None
    warn_ratio: float = 0.75  # the warning comes once this share of the target has passed

    def of(self, target: Target) -> dt.timedelta | None:
        return getattr(self, target.value)


@dataclass(frozen=True)
class History:
    """What the clocks depend on, as stored on the ticket."""

    created_at: dt.datetime
    first_responded_at: dt.datetime | None = None
    awaiting_reply_since: dt.datetime | None = None  # oldest unanswered customer message
    paused_at: dt.datetime | None = None  # resolution clock stopped since then
    paused: dt.timedelta = dt.timedelta(0)  # business time stopped in earlier pauses
    done: bool = False  # closed (or merged): no clock runs


@dataclass(frozen=True)
class Clock:
    target: Target
    warn_at: dt.datetime
    due_at: dt.datetime
    cycle: str  # tells one next-response wait from the next; "" for the other targets


def running_clocks(schedule: Schedule, targets: Targets, history: History) -> list[Clock]:
    """The clocks running now, soonest due first."""
    if history.done:
        return []
    clocks = []
    if targets.first_response is not None and history.first_responded_at is None:
        clocks.append(_clock(schedule, Target.FIRST_RESPONSE, targets, history.created_at))
    if (
        targets.next_response is not None
        and history.first_responded_at is not None
        and history.awaiting_reply_since is not None
    ):
        since = history.awaiting_reply_since
        clock = _clock(schedule, Target.NEXT_RESPONSE, targets, since)
        clocks.append(Clock(clock.target, clock.warn_at, clock.due_at, since.isoformat()))
    if targets.resolution is not None and history.paused_at is None:
        clocks.append(
            _clock(schedule, Target.RESOLUTION, targets, history.created_at, history.paused)
        )
    return sorted(clocks, key=lambda clock: clock.due_at)


def _clock(
    schedule: Schedule,
    target: Target,
    targets: Targets,
    start: dt.datetime,
    paused: dt.timedelta = dt.timedelta(0),
) -> Clock:
    allowed = targets.of(target)
    assert allowed is not None
    warn = add_business_time(schedule, start, allowed * targets.warn_ratio + paused)
    due = add_business_time(schedule, start, allowed + paused)
    return Clock(target, warn, due, "")


def pause(history: History, at: dt.datetime) -> History:
    """Stop the resolution clock (waiting on the customer, or solved); idempotent."""
    if history.paused_at is not None:
        return history
    return replace(history, paused_at=at)


def resume(schedule: Schedule, history: History, at: dt.datetime) -> History:
    """Start the resolution clock again, carrying the business time it stood still."""
    if history.paused_at is None:
        return history
    stood = max(business_time_between(schedule, history.paused_at, at), dt.timedelta(0))
    return replace(history, paused_at=None, paused=history.paused + stood)


def step_times(clock: Clock) -> list[tuple[Step, dt.datetime]]:
    return [(Step.WARNING, clock.warn_at), (Step.BREACH, clock.due_at)]


def next_check(clocks: list[Clock], fired: set[tuple[str, str, str]]) -> dt.datetime | None:
    """The earliest warning or breach not yet fired: when the sweep must look again.

    `fired` holds (target, step, cycle) of steps already taken.
    """
    pending = [
        moment
        for clock in clocks
        for step, moment in step_times(clock)
        if (clock.target.value, step.value, clock.cycle) not in fired
    ]
    return min(pending, default=None)
