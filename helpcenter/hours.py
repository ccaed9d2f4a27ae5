"""Business-hours calendars: whether a channel is open now, and business-minute arithmetic.

Pure Python on purpose (no Django): the SLA clocks and the contact page both need it, and it
must stay testable without a database. Opening hours are wall-clock times in the schedule's
own time zone; every day is converted to UTC separately, so DST changes are handled per day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_HORIZON = timedelta(days=366)
_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)
_SECOND = timedelta(seconds=1)
_MIDNIGHT = time(0)
_DAYS_PER_WEEK = 7

_Span = tuple[datetime, datetime]
_Segment = tuple[time, time | None]  # local opening and closing; None closes at the end of day


@dataclass(frozen=True)
class Interval:
    """One weekly opening in local wall time.

    `closes == time(0)` means midnight at the END of `weekday`. A `closes` earlier than
    `opens` runs past midnight into the next day; `closes == opens` (other than 00:00) is empty.
    """

    weekday: int  # 0 = Monday … 6 = Sunday
    opens: time
    closes: time  # time(0) means midnight at the END of that day

    def __post_init__(self) -> None:
        if not 0 <= self.weekday < _DAYS_PER_WEEK:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday!r}")


@dataclass(frozen=True)
class Schedule:
    time_zone: str  # IANA name
    always_open: bool
    intervals: tuple[Interval, ...]
    holidays: frozenset[date]  # local dates on which it is closed all day


@dataclass(frozen=True)
class OpenState:
    is_open: bool
    closes_at: datetime | None  # UTC; end of the current opening (None: not within 366 days)
    next_open_at: datetime | None  # UTC; when closed, the next opening (None: not within 366 days)


def open_state(schedule: Schedule, at: datetime) -> OpenState:
    """Whether `schedule` is open at the aware moment `at`, and when that changes.

    Touching or overlapping intervals, also across midnight, count as one opening, so
    `closes_at` is the real end. Openings that do not end within 366 days report None.
    """
    _require_aware(at, "at")
    if schedule.always_open:
        return OpenState(is_open=True, closes_at=None, next_open_at=None)
    horizon = at + _HORIZON
    for opens, closes in _spans(_pieces(schedule, at), horizon):
        if closes <= at:
            continue
        if opens <= at:
            closes_at = None if closes > horizon else closes
            return OpenState(is_open=True, closes_at=closes_at, next_open_at=None)
        next_open_at = opens if opens <= horizon else None
        return OpenState(is_open=False, closes_at=None, next_open_at=next_open_at)
    return OpenState(is_open=False, closes_at=None, next_open_at=None)


def add_business_minutes(schedule: Schedule, start: datetime, minutes: int) -> datetime:
    """The earliest UTC moment by which `minutes` business minutes have passed since `start`.

    `minutes=0` returns `start` itself (in UTC), even when closed. Raises ValueError for a
    naive `start`, negative `minutes`, or a positive amount on a schedule that never opens
    again.
    """
    if minutes < 0:
        raise ValueError(f"minutes must not be negative, got {minutes!r}")
    return add_business_time(schedule, start, timedelta(minutes=minutes))


def add_business_time(schedule: Schedule, start: datetime, amount: timedelta) -> datetime:
    """`add_business_minutes` to the microsecond: SLA clocks carry paused time exactly, so a
    pause and resume never moves a due time earlier through rounding.

    Walks opening by opening, never minute by minute.
    """
    _require_aware(start, "start")
    if amount < timedelta(0):
        raise ValueError(f"amount must not be negative, got {amount!r}")
    remaining = amount
    start = start.astimezone(UTC)
    if not remaining:
        return start
    if schedule.always_open:
        return start + remaining
    for opens, closes in _pieces(schedule, start):
        if closes <= start:
            continue
        opens = max(opens, start)
        if closes - opens >= remaining:
            return opens + remaining
        remaining -= closes - opens
    raise ValueError("the schedule never opens again, so those business minutes never pass")


def business_minutes_between(schedule: Schedule, start: datetime, end: datetime) -> int:
    """Whole business minutes (rounded down) from `start` to `end`, both aware.

    Antisymmetric: an `end` before `start` gives the negative of the reverse count, so that
    clock skew shows up instead of being hidden.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end < start:
        return -business_minutes_between(schedule, end, start)
    return business_time_between(schedule, start, end) // _MINUTE


def business_time_between(schedule: Schedule, start: datetime, end: datetime) -> timedelta:
    """Business time from `start` to `end`, exactly; negative when `end` is before `start`."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end < start:
        return -business_time_between(schedule, end, start)
    if schedule.always_open:
        return end - start
    total = timedelta(0)
    for opens, closes in _pieces(schedule, start):
        if opens >= end:
            break
        overlap = min(closes, end) - max(opens, start)
        if overlap > timedelta(0):
            total += overlap
    return total


def _require_aware(value: datetime, name: str) -> None:
    """Naive datetimes are ambiguous across time zones, so they are refused outright."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def _spans(pieces: Iterator[_Span], horizon: datetime) -> Iterator[_Span]:
    """Merge touching pieces into whole openings; stop extending one once it passes `horizon`.

    Precondition: `pieces` are disjoint and in time order (as `_pieces` yields them).
    """
    current: _Span | None = None
    for opens, closes in pieces:
        if current is not None and opens == current[1]:
            current = (current[0], closes)
        else:
            if current is not None:
                yield current
            current = (opens, closes)
        if current[1] > horizon:
            break
    if current is not None:
        yield current


def _pieces(schedule: Schedule, since: datetime) -> Iterator[_Span]:
    """Disjoint UTC openings in time order, from the local day before `since` onwards.

    Overlaps are trimmed away, touching pieces are left for `_spans` to join. Ends once a
    week passes with no opening after the last holiday: the weekly pattern cannot open again.
    """
    zone = _zone(schedule.time_zone)
    weekly = _weekly_segments(schedule.intervals)
    if not any(weekly):
        return
    last_holiday = max(schedule.holidays, default=date.min)
    day = since.astimezone(zone).date() - _DAY
    watermark: datetime | None = None
    idle_days = 0
    while idle_days <= _DAYS_PER_WEEK:
        if day > last_holiday:
            idle_days += 1
        if day not in schedule.holidays:
            for opens, closes in _day_pieces(day, weekly[day.weekday()], zone):
                opens = opens if watermark is None else max(opens, watermark)
                if closes > opens:
                    idle_days, watermark = 0, closes
                    yield opens, closes
        day += _DAY


def _weekly_segments(intervals: tuple[Interval, ...]) -> tuple[tuple[_Segment, ...], ...]:
    """Per weekday, the local segments open that day; overnight intervals are split at 00:00."""
    week: list[list[_Segment]] = [[] for _ in range(_DAYS_PER_WEEK)]
    for interval in intervals:
        opens = interval.opens.replace(tzinfo=None, fold=0)
        closes = interval.closes.replace(tzinfo=None, fold=0)
        if closes == _MIDNIGHT:
            week[interval.weekday].append((opens, None))
        elif closes > opens:
            week[interval.weekday].append((opens, closes))
        elif closes < opens:
            week[interval.weekday].append((opens, None))
            week[(interval.weekday + 1) % _DAYS_PER_WEEK].append((_MIDNIGHT, closes))
    return tuple(tuple(segments) for segments in week)


def _day_pieces(day: date, segments: tuple[_Segment, ...], zone: ZoneInfo) -> list[_Span]:
    """The segments of one local day as UTC spans, sorted; DST may shrink some to nothing."""
    end_of_day = _to_utc(day + _DAY, _MIDNIGHT, zone)
    pieces = []
    for opens, closes in segments:
        start = _to_utc(day, opens, zone)
        end = end_of_day if closes is None else _to_utc(day, closes, zone)
        if end > start:
            pieces.append((start, end))
    return sorted(pieces)


def _to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The first instant the local clock shows `wall` on `day`.

    A repeated wall time (clocks going back) takes its first occurrence; a skipped one
    (clocks going forward) maps to the end of the gap, so an interval keeps exactly the
    wall-clock times that exist that day.
    """
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=zone).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    other = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return _transition(zone, min(first, other), max(first, other))


def _transition(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The instant the UTC offset changes, by bisection to the second.

    Precondition: exactly one offset change lies in (before, after]; tzdata changes fall on
    whole seconds.
    """
    target = after.astimezone(zone).utcoffset()
    low = before.replace(microsecond=0)
    high = after.replace(microsecond=0) + (_SECOND if after.microsecond else timedelta(0))
    while high - low > _SECOND:
        middle = low + (high - low) // 2 // _SECOND * _SECOND
        if middle.astimezone(zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return high
