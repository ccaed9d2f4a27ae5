"""The supervisor dashboard's figures: SLA compliance, response and resolution medians,
backlog, CSAT and complaint outcomes, for tickets created in a date range (and a team).

A ticket complies with its SLA when no target of it was breached (SlaEscalation holds the
breaches, once each). Medians are wall-clock time. Everything is read in a fixed number of
queries, whatever the range.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.models import SlaEscalation, Team, Ticket, TicketType

DEFAULT_DAYS = 30
MAX_DAYS = 366
S = Ticket.Status


@dataclass(frozen=True)
class ReportFilter:
    start: dt.date
    end: dt.date  # inclusive
    team: Team | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def report_filter(params: Mapping[str, str], *, today: dt.date) -> ReportFilter:
    """The range and team from the query string; anything malformed falls back to the last
    30 days and all teams, and a range is capped at a year."""

    def day(name: str) -> dt.date | None:
        try:
            value = dt.date.fromisoformat(params.get(name, "").strip())
        except ValueError:
            return None
        # Beyond these, a date is a typo, and the day after 9999-12-31 does not exist.
        return value if dt.date(2000, 1, 1) <= value <= dt.date(9000, 1, 1) else None

    end = day("to") or today
    start = day("from") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        start, end = end, start
    start = max(start, end - dt.timedelta(days=MAX_DAYS - 1))
    slug = params.get("team", "")
    team = Team.objects.filter(slug=slug).first() if slug else None
    return ReportFilter(start, end, team)


@dataclass(frozen=True)
class Share:
    label: str
    met: int
    total: int

    @property
    def percent(self) -> float | None:
        return None if self.total == 0 else round(100 * self.met / self.total, 1)


@dataclass
class Report:
    filter: ReportFilter
    tickets: int = 0
    compliance: float | None = None
    by_type: list[Share] = field(default_factory=list)
    by_priority: list[Share] = field(default_factory=list)
    by_team: list[Share] = field(default_factory=list)
    over_time: list[Share] = field(default_factory=list)  # per day or per week
    first_response_median: dt.timedelta | None = None
    resolution_median: dt.timedelta | None = None
    backlog: list[tuple[str, int]] = field(default_factory=list)
    csat_average: float | None = None
    csat_distribution: list[tuple[int, int]] = field(default_factory=list)
    complaint_outcomes: list[tuple[str, int]] = field(default_factory=list)


def range_bounds(flt: ReportFilter) -> tuple[dt.datetime, dt.datetime]:
    """The range as [start, end) instants, in the viewer's time zone."""
    start = timezone.make_aware(dt.datetime.combine(flt.start, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(flt.end + dt.timedelta(days=1), dt.time()))
    return start, end


def tickets_in_range(flt: ReportFilter) -> QuerySet[Ticket]:
    """Tickets created in the range (in the viewer's time zone), of the team if one is set."""
    start, end = range_bounds(flt)
    tickets = Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
    return tickets.filter(team=flt.team) if flt.team else tickets


def _breached() -> Exists:
    return Exists(
        SlaEscalation.objects.filter(ticket=OuterRef("pk"), step=SlaEscalation.Step.BREACH)
    )


def _shares(rows: Iterable[tuple[str, bool]]) -> list[Share]:
    met: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for label, breached in rows:
        total[label] += 1
        met[label] += not breached
    return [Share(label, met[label], total[label]) for label in total]


def _median(values: list[dt.timedelta]) -> dt.timedelta | None:
    return statistics.median(values) if values else None


def _bucket(flt: ReportFilter, created: dt.datetime) -> str:
    """Per day for a range up to five weeks, else per week (by its Monday)."""
    day = timezone.localtime(created).date()
    if flt.days > 35:
        day -= dt.timedelta(days=day.weekday())
    return day.isoformat()


def build_report(flt: ReportFilter, *, lang: str) -> Report:
    tickets = tickets_in_range(flt)
    report = Report(filter=flt)
    type_names = {t.id: t.name(lang) for t in TicketType.objects.all()}
    team_names = {t.id: t.name(lang) for t in Team.objects.all()}
    priorities = dict(Ticket.Priority.choices)
    rows = list(
        tickets.filter(sla_policy__isnull=False)
        .annotate(breached=_breached())
        .values_list("type_id", "priority", "team_id", "created_at", "breached")
    )
    report.tickets = tickets.count()
    if rows:
        report.compliance = round(100 * sum(not r[4] for r in rows) / len(rows), 1)
    report.by_type = _shares((type_names.get(r[0], "?"), r[4]) for r in rows)
    report.by_priority = _shares((str(priorities.get(r[1], r[1])), r[4]) for r in rows)
    report.by_team = _shares((team_names.get(r[2], "—"), r[4]) for r in rows)
    report.over_time = sorted(
        _shares((_bucket(flt, r[3]), r[4]) for r in rows), key=lambda s: s.label
    )
    times = tickets.values_list("created_at", "first_responded_at", "solved_at")
    report.first_response_median = _median([f - c for c, f, _s in times if f])
    report.resolution_median = _median([s - c for c, _f, s in times if s])
    statuses = dict(S.choices)
    backlog = dict(
        Ticket.objects.filter(
            status__in=Ticket.OPEN_STATUSES, **({"team": flt.team} if flt.team else {})
        )
        .values_list("status")
        .annotate(n=Count("id"))
    )
    report.backlog = [(str(statuses[s]), backlog.get(s, 0)) for s in Ticket.OPEN_STATUSES]
    ratings = dict(
        tickets.filter(rating__isnull=False).values_list("rating").annotate(n=Count("id"))
    )
    report.csat_distribution = [(score, ratings.get(score, 0)) for score in range(1, 6)]
    rated = sum(ratings.values())
    if rated:
        report.csat_average = round(sum(s * n for s, n in ratings.items()) / rated, 2)
    outcomes = dict(
        tickets.filter(type__kind=TicketType.Kind.COMPLAINT)
        .values_list("complaint_outcome")
        .annotate(n=Count("id"))
    )
    labels = {"": _("No outcome yet"), **dict(Ticket.ComplaintOutcome.choices)}
    report.complaint_outcomes = [
        (str(labels[key]), outcomes.get(key, 0)) for key in ["", *Ticket.ComplaintOutcome.values]
    ]
    return report


CSV_HEADER = [
    "number",
    "created_at",
    "type",
    "priority",
    "team",
    "status",
    "first_response_minutes",
    "resolution_minutes",
    "sla_breached",
    "rating",
    "complaint_outcome",
]


def csv_rows(flt: ReportFilter) -> Iterable[list[str]]:
    """One row per ticket in the range, for a spreadsheet; streamed in chunks."""
    yield CSV_HEADER
    rows = (
        tickets_in_range(flt)
        .annotate(breached=_breached())
        .order_by("created_at", "id")
        .values_list(
            "number",
            "created_at",
            "type__slug",
            "priority",
            "team__slug",
            "status",
            "first_responded_at",
            "solved_at",
            "breached",
            "rating",
            "complaint_outcome",
        )
    )

    def minutes(start: dt.datetime, end: dt.datetime | None) -> str:
        return "" if end is None else str(int((end - start).total_seconds() // 60))

    for (
        number,
        created,
        type_slug,
        priority,
        team,
        status,
        first,
        solved,
        breached,
        rating,
        outcome,
    ) in rows.iterator(chunk_size=2000):
        yield [
            number,
            created.astimezone(dt.UTC).isoformat(),
            type_slug,
            priority,
            team or "",
            status,
            minutes(created, first),
            minutes(created, solved),
            "yes" if breached else "no",
            "" if rating is None else str(rating),
            outcome,
        ]
