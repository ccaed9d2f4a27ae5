from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpcenter.hours import (
    Interval,
    OpenState,
    Schedule,
    add_business_minutes,
    business_minutes_between,
    open_state,
)

MONDAY_TO_FRIDAY = range(5)
EVERY_DAY = range(7)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def local(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone))


def schedule(
    zone: str,
    intervals: tuple[Interval, ...] = (),
    holidays: frozenset[date] = frozenset(),
    always_open: bool = False,
) -> Schedule:
    return Schedule(time_zone=zone, always_open=always_open, intervals=intervals, holidays=holidays)


def office_hours(zone: str, opens: time = time(9), closes: time = time(17), **kwargs) -> Schedule:
    return schedule(zone, tuple(Interval(day, opens, closes) for day in MONDAY_TO_FRIDAY), **kwargs)


def round_the_clock(zone: str, **kwargs) -> Schedule:
    return schedule(zone, tuple(Interval(day, time(0), time(0)) for day in EVERY_DAY), **kwargs)


# --- open_state ---------------------------------------------------------------------------


def test_open_state_during_office_hours_reports_closing_time_in_utc():
    # given
    london = office_hours("Europe/London")
    # when: Wednesday 10 January 2024, 10:00 GMT
    state = open_state(london, utc(2024, 1, 10, 10))
    # then
    assert state == OpenState(is_open=True, closes_at=utc(2024, 1, 10, 17), next_open_at=None)
    assert state.closes_at.utcoffset() == timedelta(0)


def test_open_state_is_open_at_opening_moment_and_closed_at_closing_moment():
    # given
    london = office_hours("Europe/London")
    # when
    at_opening = open_state(london, utc(2024, 1, 10, 9))
    at_closing = open_state(london, utc(2024, 1, 10, 17))
    # then
    assert at_opening.is_open and at_opening.closes_at == utc(2024, 1, 10, 17)
    assert not at_closing.is_open and at_closing.next_open_at == utc(2024, 1, 11, 9)


def test_open_state_over_london_spring_forward_weekend_opens_monday_at_0800_utc():
    # given: clocks go forward on Sunday 31 March 2024
    london = office_hours("Europe/London")
    # when: Friday 29 March, 18:00 GMT
    state = open_state(london, utc(2024, 3, 29, 18))
    # then: Monday 09:00 BST
    assert state == OpenState(is_open=False, closes_at=None, next_open_at=utc(2024, 4, 1, 8))


def test_open_state_over_london_fall_back_weekend_opens_monday_at_0900_utc():
    # given: clocks go back on Sunday 27 October 2024
    london = office_hours("Europe/London")
    # when: Friday 25 October, 17:00 BST
    state = open_state(london, utc(2024, 10, 25, 16))
    # then: Monday 09:00 GMT
    assert state == OpenState(is_open=False, closes_at=None, next_open_at=utc(2024, 10, 28, 9))


@pytest.mark.parametrize(
    "friday_evening, monday_opening",
    [
        (utc(2024, 3, 8, 23), utc(2024, 3, 11, 13)),  # EST Friday, EDT Monday
        (utc(2024, 11, 1, 22), utc(2024, 11, 4, 14)),  # EDT Friday, EST Monday
    ],
)
def test_open_state_in_new_york_follows_dst_changes(friday_evening, monday_opening):
    # given
    new_york = office_hours("America/New_York")
    # when
    state = open_state(new_york, friday_evening)
    # then
    assert state.next_open_at == monday_opening


def test_open_state_in_shanghai_uses_fixed_offset_all_year():
    # given: Asia/Shanghai has no DST
    shanghai = office_hours("Asia/Shanghai", closes=time(18))
    # when
    winter = open_state(shanghai, utc(2024, 1, 10, 0))
    summer = open_state(shanghai, utc(2024, 7, 10, 0))
    # then: 09:00 CST is 01:00 UTC either way
    assert winter.next_open_at == utc(2024, 1, 10, 1)
    assert summer.next_open_at == utc(2024, 7, 10, 1)


def test_open_state_accepts_aware_moment_in_any_zone():
    # given
    shanghai = office_hours("Asia/Shanghai", closes=time(18))
    # when: 11:00 in Tokyo is 10:00 in Shanghai
    state = open_state(shanghai, local("Asia/Tokyo", 2024, 1, 10, 11))
    # then
    assert state == OpenState(is_open=True, closes_at=utc(2024, 1, 10, 10), next_open_at=None)


def test_open_state_on_holiday_is_closed_and_reopens_next_working_day():
    # given: National Day, Tuesday 1 October 2024
    shanghai = office_hours(
        "Asia/Shanghai", closes=time(18), holidays=frozenset({date(2024, 10, 1)})
    )
    # when
    on_holiday = open_state(shanghai, local("Asia/Shanghai", 2024, 10, 1, 10))
    evening_before = open_state(shanghai, local("Asia/Shanghai", 2024, 9, 30, 19))
    # then
    assert on_holiday == OpenState(is_open=False, closes_at=None, next_open_at=utc(2024, 10, 2, 1))
    assert evening_before.next_open_at == utc(2024, 10, 2, 1)


def test_open_state_across_midnight_reports_end_of_continued_opening():
    # given: Monday 20:00–24:00 followed by Tuesday 00:00–02:00
    late = schedule(
        "Asia/Shanghai", (Interval(0, time(20), time(0)), Interval(1, time(0), time(2)))
    )
    # when: Monday 15 January 2024, 21:00 CST
    state = open_state(late, local("Asia/Shanghai", 2024, 1, 15, 21))
    # then: Tuesday 02:00 CST, not Monday midnight
    assert state == OpenState(is_open=True, closes_at=utc(2024, 1, 15, 18), next_open_at=None)


def test_open_state_across_midnight_on_spring_forward_night_ends_at_0200_bst():
    # given: Saturday 20:00–24:00 and Sunday 00:00–02:00; Sunday 31 March 2024 loses 01:00–02:00
    late = schedule(
        "Europe/London", (Interval(5, time(20), time(0)), Interval(6, time(0), time(2)))
    )
    # when: Saturday 21:00 GMT
    state = open_state(late, utc(2024, 3, 30, 21))
    # then: 02:00 BST is 01:00 UTC
    assert state.closes_at == utc(2024, 3, 31, 1)
    assert business_minutes_between(late, utc(2024, 3, 30, 0), utc(2024, 4, 1, 0)) == 5 * 60


def test_open_state_with_interval_past_midnight_continues_into_next_day():
    # given: Friday 22:00 until 02:00
    overnight = schedule("Asia/Shanghai", (Interval(4, time(22), time(2)),))
    # when: Saturday 01:00 CST, 20 January 2024
    state = open_state(overnight, local("Asia/Shanghai", 2024, 1, 20, 1))
    # then
    assert state == OpenState(is_open=True, closes_at=utc(2024, 1, 19, 18), next_open_at=None)


def test_open_state_merges_overlapping_and_adjacent_intervals():
    # given: 09–12, 11–14 and 14–15 on Monday
    pieces = (
        Interval(0, time(9), time(12)),
        Interval(0, time(11), time(14)),
        Interval(0, time(14), time(15)),
    )
    monday = schedule("UTC", pieces)
    # when
    state = open_state(monday, utc(2024, 1, 15, 10))
    # then
    assert state.closes_at == utc(2024, 1, 15, 15)
    assert business_minutes_between(monday, utc(2024, 1, 15), utc(2024, 1, 16)) == 6 * 60


def test_open_state_when_always_open_has_no_closing_time():
    # given
    always = schedule("Europe/London", always_open=True)
    # when
    state = open_state(always, utc(2024, 3, 31, 1))
    # then
    assert state == OpenState(is_open=True, closes_at=None, next_open_at=None)


def test_open_state_when_every_day_is_fully_open_has_no_closing_time():
    # given
    all_week = round_the_clock("Europe/London")
    # when: in the middle of the spring-forward day
    state = open_state(all_week, utc(2024, 3, 31, 12))
    # then
    assert state == OpenState(is_open=True, closes_at=None, next_open_at=None)


def test_open_state_of_round_the_clock_service_closes_at_holiday_midnight():
    # given: open every minute except on Monday 1 July 2024
    all_week = round_the_clock("Europe/London", holidays=frozenset({date(2024, 7, 1)}))
    # when
    state = open_state(all_week, utc(2024, 5, 1, 12))
    # then: midnight BST starting the holiday
    assert state == OpenState(is_open=True, closes_at=utc(2024, 6, 30, 23), next_open_at=None)


def test_open_state_of_empty_schedule_never_opens():
    # given
    empty = schedule("Europe/London")
    # when
    state = open_state(empty, utc(2024, 1, 1))
    # then
    assert state == OpenState(is_open=False, closes_at=None, next_open_at=None)


def test_open_state_reports_no_next_opening_beyond_366_days():
    # given: open on Mondays only, and every Monday of the next 400 days is a holiday
    first_monday = date(2024, 1, 8)
    mondays = frozenset(first_monday + timedelta(weeks=week) for week in range(58))
    mondays_only = schedule("UTC", (Interval(0, time(9), time(17)),), holidays=mondays)
    # when
    state = open_state(mondays_only, utc(2024, 1, 7))
    # then
    assert state == OpenState(is_open=False, closes_at=None, next_open_at=None)
    assert add_business_minutes(mondays_only, utc(2024, 1, 7), 1) == utc(2025, 2, 17, 9, 1)


# --- business_minutes_between ---------------------------------------------------------------


@pytest.mark.parametrize(
    "zone, day, minutes",
    [
        ("Europe/London", date(2024, 3, 31), 23 * 60),
        ("Europe/London", date(2024, 10, 27), 25 * 60),
        ("America/New_York", date(2024, 3, 10), 23 * 60),
        ("America/New_York", date(2024, 11, 3), 25 * 60),
        ("Asia/Shanghai", date(2024, 3, 31), 24 * 60),
    ],
)
def test_business_minutes_between_counts_real_length_of_dst_days(zone, day, minutes):
    # given
    all_week = round_the_clock(zone)
    midnight = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone))
    # when
    counted = business_minutes_between(all_week, midnight, next_midnight)
    # then
    assert counted == minutes


@pytest.mark.parametrize(
    "opens, closes, minutes",
    [
        (time(1), time(4), 120),  # 01:00 EST to 04:00 EDT
        (time(2, 30), time(4), 60),  # 02:30 does not exist: opens at 03:00 EDT
        (time(1), time(2, 30), 60),  # closes when 02:00 EST jumps to 03:00 EDT
        (time(2, 15), time(2, 45), 0),  # entirely inside the skipped hour
    ],
)
def test_business_minutes_between_on_new_york_spring_forward_keeps_existing_wall_times(
    opens, closes, minutes
):
    # given: Sunday 10 March 2024, 02:00 EST → 03:00 EDT
    sunday = schedule("America/New_York", (Interval(6, opens, closes),))
    # when
    counted = business_minutes_between(sunday, utc(2024, 3, 10), utc(2024, 3, 11))
    # then
    assert counted == minutes


def test_open_state_in_new_york_spring_forward_gap_opens_when_clocks_jump():
    # given: Sunday 02:30–04:00, on a day without 02:00–03:00
    sunday = schedule("America/New_York", (Interval(6, time(2, 30), time(4)),))
    # when
    before = open_state(sunday, utc(2024, 3, 10, 6, 59))
    # then: 03:00 EDT
    assert before.next_open_at == utc(2024, 3, 10, 7)


def test_business_minutes_between_on_new_york_fall_back_counts_repeated_hour():
    # given: Sunday 3 November 2024 00:00–03:00 local, 01:00–02:00 happens twice
    sunday = schedule("America/New_York", (Interval(6, time(0), time(3)),))
    # when
    counted = business_minutes_between(sunday, utc(2024, 11, 3), utc(2024, 11, 4))
    # then: 04:00 UTC to 08:00 UTC
    assert counted == 4 * 60


def test_business_minutes_between_counts_only_open_time_across_weekend():
    # given
    london = office_hours("Europe/London")
    # when: Friday 16:00 GMT to Monday 10:00 BST, across spring forward
    counted = business_minutes_between(london, utc(2024, 3, 29, 16), utc(2024, 4, 1, 9))
    # then
    assert counted == 60 + 60


def test_business_minutes_between_rounds_partial_minutes_down():
    # given
    london = office_hours("Europe/London")
    # when
    counted = business_minutes_between(london, utc(2024, 1, 10, 9), utc(2024, 1, 10, 9, 1, 59))
    # then
    assert counted == 1


def test_business_minutes_between_reversed_moments_is_negative():
    # given
    london = office_hours("Europe/London")
    # when
    counted = business_minutes_between(london, utc(2024, 1, 10, 12), utc(2024, 1, 10, 10))
    # then
    assert counted == -120


def test_business_minutes_between_skips_holiday():
    # given
    london = office_hours("Europe/London", holidays=frozenset({date(2024, 12, 25)}))
    # when: Tuesday 24 to Friday 27 December 2024
    counted = business_minutes_between(london, utc(2024, 12, 24), utc(2024, 12, 27))
    # then: Tuesday and Thursday only
    assert counted == 2 * 8 * 60


def test_business_minutes_between_always_open_counts_elapsed_minutes():
    # given
    always = schedule("Europe/London", always_open=True)
    # when: across spring forward
    counted = business_minutes_between(always, utc(2024, 3, 30, 12), utc(2024, 3, 31, 12))
    # then
    assert counted == 24 * 60


def test_business_minutes_between_on_empty_schedule_is_zero():
    # given
    empty = schedule("UTC")
    # when
    counted = business_minutes_between(empty, utc(2024, 1, 1), utc(2026, 1, 1))
    # then
    assert counted == 0


# --- add_business_minutes ---------------------------------------------------------------------


def test_add_business_minutes_continues_in_next_opening_after_spring_forward():
    # given
    london = office_hours("Europe/London")
    # when: Friday 29 March 16:00 GMT plus two business hours
    due = add_business_minutes(london, utc(2024, 3, 29, 16), 120)
    # then: one hour on Friday, one on Monday from 09:00 BST
    assert due == utc(2024, 4, 1, 9)


def test_add_business_minutes_continues_in_next_opening_after_fall_back():
    # given
    new_york = office_hours("America/New_York")
    # when: Friday 1 November 16:30 EDT plus one business hour
    due = add_business_minutes(new_york, local("America/New_York", 2024, 11, 1, 16, 30), 60)
    # then: Monday 09:30 EST
    assert due == utc(2024, 11, 4, 14, 30)


def test_add_business_minutes_10000_minutes_walks_openings_not_minutes():
    # given: 09:00–18:00 CST, 540 minutes a day, 2,700 a week
    shanghai = office_hours("Asia/Shanghai", closes=time(18))
    start = local("Asia/Shanghai", 2024, 1, 8, 9)
    # when
    due = add_business_minutes(shanghai, start, 10_000)
    # then: three weeks, three days and 280 minutes: Thursday 1 February 13:40 CST
    assert due == utc(2024, 2, 1, 5, 40)


def test_add_business_minutes_million_minutes_round_trips():
    # given
    shanghai = office_hours("Asia/Shanghai", closes=time(18))
    start = local("Asia/Shanghai", 2024, 1, 8, 9)
    # when
    due = add_business_minutes(shanghai, start, 1_000_000)
    # then
    assert business_minutes_between(shanghai, start, due) == 1_000_000


def test_add_business_minutes_zero_returns_start_even_when_closed():
    # given
    london = office_hours("Europe/London")
    saturday = local("Europe/London", 2024, 6, 1, 12)
    # when
    due = add_business_minutes(london, saturday, 0)
    # then
    assert due == saturday and due.utcoffset() == timedelta(0)


def test_add_business_minutes_exactly_filling_opening_ends_at_its_close():
    # given
    london = office_hours("Europe/London")
    # when
    due = add_business_minutes(london, utc(2024, 1, 10, 9), 8 * 60)
    # then: Wednesday 17:00, not Thursday 09:00
    assert due == utc(2024, 1, 10, 17)


def test_add_business_minutes_from_before_opening_starts_counting_at_opening():
    # given
    london = office_hours("Europe/London")
    # when
    due = add_business_minutes(london, utc(2024, 1, 10, 3), 30)
    # then
    assert due == utc(2024, 1, 10, 9, 30)


def test_add_business_minutes_across_midnight_opening_continues_past_midnight():
    # given: Monday 20:00–24:00 and Tuesday 00:00–02:00
    late = schedule(
        "Asia/Shanghai", (Interval(0, time(20), time(0)), Interval(1, time(0), time(2)))
    )
    # when: Monday 23:00 CST plus 120 minutes
    due = add_business_minutes(late, local("Asia/Shanghai", 2024, 1, 15, 23), 120)
    # then: Tuesday 01:00 CST
    assert due == utc(2024, 1, 15, 17)


def test_add_business_minutes_skips_month_long_holiday_closure():
    # given: closed for the whole of January 2025
    january = frozenset(date(2025, 1, 1) + timedelta(days=offset) for offset in range(31))
    london = office_hours("Europe/London", holidays=january)
    # when: Tuesday 31 December 2024 16:30 plus an hour
    due = add_business_minutes(london, utc(2024, 12, 31, 16, 30), 60)
    # then: Monday 3 February 2025 09:30
    assert due == utc(2025, 2, 3, 9, 30)


def test_add_business_minutes_always_open_adds_plain_minutes():
    # given
    always = schedule("Europe/London", always_open=True)
    # when: across spring forward
    due = add_business_minutes(always, utc(2024, 3, 31, 0, 30), 60)
    # then
    assert due == utc(2024, 3, 31, 1, 30)


def test_add_business_minutes_on_schedule_that_never_opens_raises():
    # given
    empty = schedule("UTC")
    # when / then
    with pytest.raises(ValueError, match="never opens"):
        add_business_minutes(empty, utc(2024, 1, 1), 1)


@pytest.mark.parametrize(
    "zone, start",
    [
        ("Europe/London", utc(2024, 3, 28, 12, 17)),
        ("Europe/London", utc(2024, 10, 24, 16, 59)),
        ("America/New_York", utc(2024, 3, 8, 20)),
        ("America/New_York", utc(2024, 11, 2, 12)),
        ("Asia/Shanghai", utc(2024, 9, 29, 3)),
    ],
)
@pytest.mark.parametrize("minutes", [1, 59, 480, 481, 2_000, 10_000])
def test_add_business_minutes_is_inverse_of_business_minutes_between(zone, start, minutes):
    # given
    calendar = office_hours(zone, holidays=frozenset({date(2024, 10, 1), date(2024, 11, 5)}))
    # when
    due = add_business_minutes(calendar, start, minutes)
    # then
    assert business_minutes_between(calendar, start, due) == minutes
    assert open_state(calendar, due - timedelta(seconds=1)).is_open


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda calendar, naive: open_state(calendar, naive),
        lambda calendar, naive: add_business_minutes(calendar, naive, 5),
        lambda calendar, naive: business_minutes_between(calendar, naive, utc(2024, 1, 1)),
        lambda calendar, naive: business_minutes_between(calendar, utc(2024, 1, 1), naive),
    ],
)
def test_hours_functions_reject_naive_datetimes(call):
    # given
    london = office_hours("Europe/London")
    naive = datetime(2024, 1, 10, 10)
    # when / then
    with pytest.raises(ValueError, match="timezone-aware"):
        call(london, naive)


def test_add_business_minutes_rejects_negative_minutes():
    # given
    london = office_hours("Europe/London")
    # when / then
    with pytest.raises(ValueError, match="negative"):
        add_business_minutes(london, utc(2024, 1, 10, 10), -1)


def test_interval_rejects_weekday_outside_the_week():
    # when / then
    with pytest.raises(ValueError, match="weekday"):
        Interval(7, time(9), time(17))


def test_open_state_with_unknown_time_zone_raises_value_error():
    # given
    nowhere = office_hours("Mars/Olympus_Mons")
    # when / then
    with pytest.raises(ValueError, match="time zone"):
        open_state(nowhere, utc(2024, 1, 10, 10))
