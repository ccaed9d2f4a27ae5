"""Reads for the agent console: saved views (queues), their counts, filtered keyset pages.

Every queryset starts from `selectors.ticket_list_for_user`, so what an agent may see is
decided in one place (TicketPolicy); the queues and filters only narrow it further.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from core.exceptions import ApplicationError
from tickets import selectors, services, workflow
from tickets.fields import FIELD_SPECS, normalize_txid
from tickets.macros import macros_for_ticket
from tickets.models import Macro, Team, Ticket, TicketEvent, TicketMessage, TicketType
from tickets.permissions import is_supervisor

S = Ticket.Status
OPEN = Ticket.OPEN_STATUSES
RECENTLY_SOLVED_DAYS = 7
DEFAULT_QUEUE = "mine"
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Longer input is not an identifier and would only make `icontains` scan slower.
MAX_SEARCH_CHARS = 200
REQUESTER_RECENT = 5
_NUMBER = re.compile(r"^\d{6}-\d{6}$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,4})?$")
# Ids and UIDs are bigints: more digits cannot be one and would overflow the column.
_MAX_DIGITS = 18

QueueFilter = Callable[[User, dt.datetime], Q]


@dataclass(frozen=True)
class Queue:
    key: str
    label: str | Promise
    count: int | None  # None: not counted ("All tickets" would cost a scan of the table)


def _open() -> Q:
    return Q(status__in=OPEN)


def _small_int(text: str) -> int | None:
    """An id typed or posted as ASCII digits (int() alone also takes "１２" and " 1_0 ")."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS else None


def _breaching(now: dt.datetime) -> Q:
    """At risk or breached: the SLA warning moment of the soonest clock has passed."""
    return Q(sla_warn_at__lte=now)


def _recently_solved(user: User, now: dt.datetime) -> Q:
    since = now - dt.timedelta(days=RECENTLY_SOLVED_DAYS)
    return Q(status__in=[S.SOLVED, S.CLOSED], solved_at__gte=since)


# The saved views, in the order the console lists them. Each narrows ticket_list_for_user.
# All but the last two are open tickets only: agents work those, and the partial indexes
# on open tickets keep these queues as fast at a million tickets as at a thousand.
QUEUES: dict[str, tuple[str | Promise, QueueFilter]] = {
    "mine": (_("Mine"), lambda user, now: Q(assignee=user) & _open()),
    "unassigned": (_("Unassigned"), lambda user, now: Q(assignee__isnull=True) & _open()),
    "breaching": (_("Breaching soon"), lambda user, now: _breaching(now) & _open()),
    "waiting": (_("Waiting on customer"), lambda user, now: Q(status=S.PENDING)),
    "complaints": (
        _("Complaints"),
        lambda user, now: Q(type__kind=TicketType.Kind.COMPLAINT) & _open(),
    ),
    "open": (_("All open"), lambda user, now: _open()),
    "recently_solved": (_("Recently solved"), _recently_solved),
    "all": (_("All tickets"), lambda user, now: Q()),
}
UNCOUNTED = {"all"}
TYPE_PREFIX = "type:"


def queue_filter(*, user: User, queue: str, now: dt.datetime | None = None) -> Q | None:
    """The Q of a queue key, or None when the key is unknown (callers fall back to a default).

    A type's queue (`type:<slug>`) holds its open tickets, like the counts say.
    """
    now = now or timezone.now()
    if queue in QUEUES:
        return QUEUES[queue][1](user, now)
    slug = queue.removeprefix(TYPE_PREFIX)
    if queue.startswith(TYPE_PREFIX) and _SLUG.match(slug):
        return Q(type__slug=slug) & _open()
    return None


def queue_counts(*, user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """Counts of every counted queue, `type:<slug>` ones included, in three queries.

    Open tickets are grouped by type id straight from the partial index
    `ticket_open_counts` (an index-only scan over open tickets in index order, never the
    solved history, no join); the ten-odd types name the groups and say which are
    complaints. Recently solved tickets are counted through `ticket_solved_at`.
    """
    now = now or timezone.now()
    visible = selectors.ticket_list_for_user(user=user).order_by()
    rows = (
        visible.filter(_open())
        .values("type_id")
        .annotate(
            # Counting type_id (never null), not id: id is not in the index, so counting
            # it would visit the table; Django allows no COUNT(*) with a filter.
            n_open=Count("type"),
            n_mine=Count("type", filter=Q(assignee=user)),
            n_unassigned=Count("type", filter=Q(assignee__isnull=True)),
            n_waiting=Count("type", filter=Q(status=S.PENDING)),
            n_breaching=Count("type", filter=_breaching(now)),
        )
    )
    types = {
        pk: (slug, kind) for pk, slug, kind in TicketType.objects.values_list("id", "slug", "kind")
    }
    counts = dict.fromkeys(set(QUEUES) - UNCOUNTED, 0)
    for row in rows:
        slug, kind = types[row["type_id"]]
        counts[TYPE_PREFIX + slug] = row["n_open"]
        for key in ("open", "mine", "unassigned", "waiting", "breaching"):
            counts[key] += row[f"n_{key}"]
        if kind == TicketType.Kind.COMPLAINT:
            counts["complaints"] += row["n_open"]
    counts["recently_solved"] = visible.filter(_recently_solved(user, now)).count()
    return counts


# ---------------------------------------------------------------------------- filters


# Dates outside this range are typos; at the calendar's edges, converting the agent's
# midnight to UTC would overflow inside the database adapter.
_DATE_RANGE = (dt.date(1970, 1, 1), dt.date(9998, 12, 31))


def _date(raw: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return day if _DATE_RANGE[0] <= day <= _DATE_RANGE[1] else None


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the agent's time zone (activated by UserTimezoneMiddleware)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _created_range(filters: Mapping[str, str]) -> Q:
    # Bounds on created_at itself (not created_at__date) keep the composite indexes usable.
    q = Q()
    if start := _date(filters.get("created_from", "")):
        q &= Q(created_at__gte=_day_start(start))
    if end := _date(filters.get("created_to", "")):
        q &= Q(created_at__lt=_day_start(end + dt.timedelta(days=1)))
    return q


def _tag(tag: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(tags__contains=[tag])
    # SQLite has no JSON containment; the quoted JSON string matches one whole list item.
    return Q(tags__icontains=json.dumps(tag))


def search_filter(text: str) -> Q:
    """What the search box finds: an exact ticket number, requester UID or email, TXID or
    order ID, else words in the subject.

    Every branch of an OR here has an index of its own (txid, order_id, requester, the
    `fields->uid` expression, the subject trigrams), so PostgreSQL can combine them with a
    bitmap OR instead of scanning the table. A join inside the OR would stop that, so the
    requester is looked up first.
    """
    # PostgreSQL refuses NUL in any string parameter; nothing stored contains one anyway.
    text = text.replace("\x00", "").strip()[:MAX_SEARCH_CHARS]
    if not text:
        return Q()
    if _NUMBER.match(text):
        return Q(number=text)
    if "@" in text:
        return Q(requester__email=text.lower())
    exact = Q(txid=normalize_txid(text)) | Q(order_id=text)
    if (uid := _small_int(text)) is not None:
        requester = User.objects.filter(uid=uid).values_list("id", flat=True).first()
        # The UID a customer typed into the form may be another account's (a family member's).
        return exact | Q(requester_id=requester or 0) | Q(fields__uid=text)
    return exact | Q(subject__icontains=text)


def _choice(filters: Mapping[str, str], name: str, allowed: list[str], column: str) -> Q:
    value = filters.get(name, "")
    return Q(**{column: value}) if value in allowed else Q()


def _slug(filters: Mapping[str, str], name: str, column: str) -> Q:
    value = filters.get(name, "")
    return Q(**{column: value}) if _SLUG.match(value) else Q()


def _assignee(value: str) -> Q:
    if value == "none":
        return Q(assignee__isnull=True)
    user_id = _small_int(value)
    return Q() if user_id is None else Q(assignee_id=user_id)


def ticket_filter(filters: Mapping[str, str]) -> Q:
    """The filter bar as one Q; a value that makes no sense is ignored, never an error."""
    tag = filters.get("tag", "").replace("\x00", "").strip()
    language = filters.get("language", "")
    return (
        _choice(filters, "status", S.values, "status")
        & _choice(filters, "priority", Ticket.Priority.values, "priority")
        & _choice(filters, "channel", Ticket.Channel.values, "channel")
        & _slug(filters, "type", "type__slug")
        & _slug(filters, "team", "team__slug")
        & _assignee(filters.get("assignee", ""))
        & (_tag(tag) if 0 < len(tag) <= 50 else Q())
        & (Q(language=language) if _LANGUAGE.match(language) else Q())
        & _created_range(filters)
        & search_filter(filters.get("q", ""))
    )


# ---------------------------------------------------------------------------- keyset pages


def cursor_encode(ticket: Ticket) -> str:
    created = ticket.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return f"{created}|{ticket.id}"


def cursor_decode(cursor: str) -> tuple[dt.datetime, int] | None:
    """(created_at, id) from a cursor, or None when it is not one we could have made."""
    # A "+" of an offset that was not URL-encoded arrives as a space.
    created, _sep, raw_id = (cursor or "").replace(" ", "+").partition("|")
    ticket_id = _small_int(raw_id)
    try:
        moment = dt.datetime.fromisoformat(created)
        # In UTC here: at the calendar's edges the database adapter's conversion would overflow.
        moment = moment.astimezone(dt.UTC) if moment.tzinfo else None
    except (ValueError, OverflowError):
        return None
    return (moment, ticket_id) if moment and ticket_id is not None else None


def queue_page(
    *,
    user: User,
    queue: str,
    filters: Mapping[str, str],
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[Ticket], str | None]:
    """One page of a queue, newest first, and the cursor of the next page (None at the end).

    Keyset, not OFFSET: a page costs the same deep in a long queue and tickets arriving
    meanwhile do not shift rows between pages. A malformed cursor restarts at page one.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    scope = queue_filter(user=user, queue=queue)
    if scope is None:  # not `or`: the empty Q() of "all" is falsy
        scope = queue_filter(user=user, queue=DEFAULT_QUEUE)
    tickets = selectors.ticket_list_for_user(user=user).filter(scope).filter(ticket_filter(filters))
    position = cursor_decode(after or "")
    if position:
        created, ticket_id = position
        tickets = tickets.filter(
            Q(created_at__lt=created) | Q(created_at=created, id__lt=ticket_id)
        )
    rows = list(tickets.order_by("-created_at", "-id")[: limit + 1])
    next_cursor = cursor_encode(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


# ---------------------------------------------------------------------------- pages


def staff_agents() -> QuerySet[User]:
    """Everyone a ticket can be assigned to (ticket_assign accepts any staff agent)."""
    roles = [Role.AGENT.value, Role.SUPERVISOR.value]
    return (
        User.objects.filter(Q(groups__name__in=roles) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("email")
    )


def assignee_from_choice(*, actor: User, choice: str) -> User | None:
    """The assignee a console form names: "me", "" for nobody, or a user's id.

    Whether that user may take tickets is ticket_assign's rule, not checked here.
    """
    if choice == "me":
        return actor
    if choice == "":
        return None
    user_id = _small_int(choice)
    found = None if user_id is None else User.objects.filter(id=user_id, is_active=True).first()
    if found is None:
        raise ApplicationError(gettext("Choose an agent from the list."), code="unknown_assignee")
    return found


@dataclass
class QueueNav:
    """The list of queues with their counts, current one marked; refreshed live on its own."""

    queue: str
    fixed_queues: list[Queue]
    type_queues: list[Queue]
    types: list[TicketType]
    show_reports: bool  # supervisors get a link to the dashboard

    @property
    def current(self) -> Queue:
        every = self.fixed_queues + self.type_queues
        return next((q for q in every if q.key == self.queue), Queue(self.queue, self.queue, 0))


def queue_nav(*, user: User, queue: str, lang: str) -> QueueNav:
    """The queues `user` sees; an unknown key stands for the default queue."""
    queue = queue if queue_filter(user=user, queue=queue) is not None else DEFAULT_QUEUE
    types, counts = list(selectors.ticket_types_active()), queue_counts(user=user)
    return QueueNav(
        queue=queue,
        fixed_queues=[Queue(key, label, counts.get(key)) for key, (label, _f) in QUEUES.items()],
        type_queues=[
            Queue(TYPE_PREFIX + t.slug, t.name(lang), counts.get(TYPE_PREFIX + t.slug, 0))
            for t in types
        ],
        types=types,
        show_reports=is_supervisor(user),
    )


@dataclass
class QueueView(QueueNav):
    tickets: list[Ticket]
    next_cursor: str | None
    teams: list[Team]
    agents: list[User]

    # The filter bar's fixed choices, here so the template needs no model imports.
    statuses = S.choices
    priorities = Ticket.Priority.choices
    outcomes = Ticket.ComplaintOutcome.choices
    channels = Ticket.Channel.choices
    languages = User.Language.choices


def console_queue(
    *, user: User, queue: str, filters: Mapping[str, str], after: str | None, lang: str
) -> QueueView:
    """Everything the queue page shows; a fixed number of queries whatever the page size."""
    nav = queue_nav(user=user, queue=queue, lang=lang)
    tickets, next_cursor = queue_page(user=user, queue=nav.queue, filters=filters, after=after)
    return QueueView(
        **vars(nav),
        tickets=tickets,
        next_cursor=next_cursor,
        teams=list(Team.objects.order_by("slug")),
        agents=list(staff_agents()),
    )


@dataclass(frozen=True)
class TimelineEntry:
    event: TicketEvent
    before: str | Promise
    after: str | Promise


_LABELS = {"created": dict(S.choices), "status": dict(S.choices)}
_LABELS["priority"] = dict(Ticket.Priority.choices)


def _shown(kind: str, value: str) -> str | Promise:
    """Status and priority codes as their translated labels; other values as stored."""
    return _LABELS.get(kind, {}).get(value, value)


def _timeline(ticket: Ticket) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            event, _shown(event.kind, event.from_value), _shown(event.kind, event.to_value)
        )
        for event in ticket.events.select_related("actor")
    ]


@dataclass
class TicketView:
    ticket: Ticket
    messages: list[TicketMessage]
    timeline: list[TimelineEntry]
    fields: list[tuple[str | Promise, str]]
    requester_recent: list[Ticket]
    transitions: list[tuple[str, str | Promise]]
    agents: list[User]
    macros: list[tuple[Macro, str]]
    original_messages: list[TicketMessage]
    followers: list[User]
    following: bool
    # Splitting needs a message to move and one to keep, on a ticket still being worked.
    can_split: bool
    split_subject: str

    priorities = Ticket.Priority.choices
    outcomes = Ticket.ComplaintOutcome.choices


def console_ticket(*, user: User, number: str) -> TicketView:
    """The ticket page: conversation with internal notes, fields, requester, audit trail.

    404 (from ticket_get_for_user) when the agent may not see the ticket.
    """
    ticket = selectors.ticket_get_for_user(user=user, number=number)
    allowed = workflow.TRANSITIONS.get(ticket.status, set())
    messages = list(selectors.ticket_messages_for_user(user=user, ticket=ticket))
    followers = list(ticket_followers(ticket))
    recent = (
        selectors.ticket_list_for_user(user=user)
        .filter(requester_id=ticket.requester_id)
        .exclude(id=ticket.id)
        .order_by("-created_at", "-id")[:REQUESTER_RECENT]
    )
    return TicketView(
        ticket=ticket,
        messages=messages,
        timeline=_timeline(ticket),
        fields=[
            (FIELD_SPECS[name].label if name in FIELD_SPECS else name, value)
            for name, value in ticket.fields.items()
        ],
        requester_recent=list(recent),
        transitions=[(value, label) for value, label in S.choices if value in allowed],
        agents=list(staff_agents()),
        macros=macros_for_ticket(ticket=ticket, agent=user),
        original_messages=_original_messages(user, ticket),
        followers=followers,
        following=any(follower.id == user.id for follower in followers),
        can_split=len(messages) > 1 and ticket.status != S.CLOSED and not ticket.merged_into_id,
        split_subject=services.split_subject_default(ticket),
    )


def ticket_followers(ticket: Ticket) -> QuerySet[User]:
    """The staff following `ticket` who may still see it, by email: whom to tell of changes.

    Someone who has since left the ticket's team or lost the agent role stays stored but is
    not returned, so nothing about the ticket reaches a person who may no longer read it.
    The same rule as TicketPolicy.visible_filter, read from the users' side.
    """

    def has_role(role: Role) -> Q:
        return Q(id__in=User.objects.filter(groups__name=role.value).values("id"))

    access = Q()
    if ticket.team_id is not None:
        in_team = User.objects.filter(teams=ticket.team_id).values("id")
        access = Q(id__in=in_team) | Q(id=ticket.assignee_id)
    supervisor = Q(is_superuser=True) | has_role(Role.SUPERVISOR)
    return (
        ticket.followers.filter(is_active=True)
        .filter(supervisor | (has_role(Role.AGENT) & access))
        .order_by("email")
    )


def _original_messages(user: User, ticket: Ticket) -> list[TicketMessage]:
    """For a complaint: the conversation complained about, shown beside it."""
    if ticket.original_id is None:
        return []
    return list(selectors.ticket_messages_for_user(user=user, ticket=ticket.original))
