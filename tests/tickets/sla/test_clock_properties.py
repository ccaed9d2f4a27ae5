"""Property tests of the SLA arithmetic (pure: no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from helpcenter.hours import Interval, Schedule, open_state
from tickets.sla import clock
from tickets.sla.clock import History, Target, Targets

UTC = dt.UTC
START = dt.datetime(2026, 1, 1, tzinfo=UTC)

OFFICE = Schedule(  # Mon–Fri 09:00–18:00 in Shanghai, with a holiday
    time_zone="Asia/Shanghai",
    always_open=False,
    intervals=tuple(Interval(day, dt.time(9), dt.time(18)) for day in range(5)),
    holidays=frozenset({dt.date(2026, 1, 1), dt.date(2026, 2, 17)}),
)
SPLIT_SHIFT = Schedule(  # London: two shifts on weekdays, a late one on Saturday
    time_zone="Europe/London",
    always_open=False,
    intervals=(
        *(Interval(day, dt.time(8), dt.time(12)) for day in range(5)),
        *(Interval(day, dt.time(13, 30), dt.time(17)) for day in range(5)),
        Interval(5, dt.time(20), dt.time(2)),  # past midnight
    ),
    holidays=frozenset(),
)
AROUND = Schedule(time_zone="UTC", always_open=True, intervals=(), holidays=frozenset())

schedules = st.sampled_from([OFFICE, SPLIT_SHIFT, AROUND])
moments = st.integers(min_value=0, max_value=400 * 24 * 60).map(
    lambda minutes: START + dt.timedelta(minutes=minutes, seconds=minutes % 47)
)
durations = st.integers(min_value=0, max_value=30 * 24 * 60 * 60).map(
    lambda seconds: dt.timedelta(seconds=seconds)
)
target_minutes = st.integers(min_value=1, max_value=5 * 24 * 60)


@st.composite
def target_sets(draw) -> Targets:
    def maybe():
        return draw(st.none() | target_minutes.map(lambda m: dt.timedelta(minutes=m)))

    return Targets(
        first_response=maybe(),
        next_response=maybe(),
        resolution=maybe(),
        warn_ratio=draw(st.sampled_from([0.5, 0.75, 0.9])),
    )


def clocks_by_target(clocks):
    return {c.target: c for c in clocks}


@settings(max_examples=300, deadline=None)
@given(schedule=schedules, created=moments, targets=target_sets())
def test_every_due_time_falls_inside_business_hours(schedule, created, targets):
    # when
    clocks = clock.running_clocks(schedule, targets, History(created_at=created))
    # then: the last business minute before each due time is an open one
    for running in clocks:
        assert running.warn_at <= running.due_at
        if schedule.always_open:
            continue
        just_before = running.due_at - dt.timedelta(microseconds=1)
        assert open_state(schedule, just_before).is_open, (running, just_before)


@settings(max_examples=300, deadline=None)
@given(
    schedule=schedules,
    created=moments,
    minutes=target_minutes,
    pause_after=durations,
    pause_for=durations,
)
def test_pausing_never_brings_the_resolution_due_time_earlier(
    schedule, created, minutes, pause_after, pause_for
):
    # given
    targets = Targets(resolution=dt.timedelta(minutes=minutes))
    history = History(created_at=created)
    before = clocks_by_target(clock.running_clocks(schedule, targets, history))
    # when: it waits on the customer for a while, then they answer
    paused = clock.pause(history, created + pause_after)
    resumed = clock.resume(schedule, paused, created + pause_after + pause_for)
    after = clocks_by_target(clock.running_clocks(schedule, targets, resumed))
    # then
    assert clock.running_clocks(schedule, targets, paused) == []  # stands still meanwhile
    assert after[Target.RESOLUTION].due_at >= before[Target.RESOLUTION].due_at
    assert after[Target.RESOLUTION].warn_at >= before[Target.RESOLUTION].warn_at


def replay(schedule, created, events):
    """The ticket's history after waiting on the customer now and then, and a first reply."""
    history, at = History(created_at=created), created
    for wait, length in events["pauses"]:
        at += wait
        history = clock.pause(history, at)
        at += length
        history = clock.resume(schedule, history, at)
    if events["responded_after"] is not None:
        history = replace(history, first_responded_at=created + events["responded_after"])
    return history


@settings(max_examples=200, deadline=None)
@given(
    schedule=schedules,
    created=moments,
    old=target_sets(),
    new=target_sets(),
    events=st.fixed_dictionaries(
        {
            "pauses": st.lists(st.tuples(durations, durations), max_size=3),
            "responded_after": st.none() | durations,
        }
    ),
)
def test_changing_priority_gives_the_clocks_of_a_ticket_created_at_that_priority(
    schedule, created, old, new, events
):
    # given: a ticket lived its history under the old policy's targets
    lived = replay(schedule, created, events)
    assert clock.running_clocks(schedule, old, lived) is not None
    # when: its priority changes, so the new policy's targets apply
    changed = clock.running_clocks(schedule, new, lived)
    # then: the same clocks as a ticket created under the new policy with the same history
    assert changed == clock.running_clocks(schedule, new, replay(schedule, created, events))
    assert {c.target for c in changed} <= {t for t in Target if new.of(t) is not None}


@settings(max_examples=200, deadline=None)
@given(schedule=schedules, created=moments, targets=target_sets(), gap=durations)
def test_next_check_is_the_earliest_step_not_yet_taken(schedule, created, targets, gap):
    # given
    clocks = clock.running_clocks(schedule, targets, History(created_at=created))
    steps = sorted(
        (moment, (c.target.value, step.value, c.cycle))
        for c in clocks
        for step, moment in clock.step_times(c)
    )
    # when: the earliest step was taken
    fired = {steps[0][1]} if steps else set()
    # then
    expected = steps[1][0] if len(steps) > 1 else None
    assert clock.next_check(clocks, fired) == expected
