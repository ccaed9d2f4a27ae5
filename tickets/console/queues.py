"""The saved views (queues), their counts, and keyset pages of a queue.

Every queryset starts from `selectors.ticket_list_for_user`, so what an agent may see is
decided in one place (TicketPolicy); the queues and filters only narrow it further.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets import selectors
from tickets.console.counting import count_subquery
from tickets.console.filters import _SLUG, _small_int, ticket_filter
from tickets.models import Ticket, TicketType

S = Ticket.Status
OPEN = Ticket.OPEN_STATUSES
RECENTLY_SOLVED_DAYS = 7
DEFAULT_QUEUE = "mine"
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
REQUESTER_RECENT = 5

QueueFilter = Callable[[User, dt.datetime], Q]


@dataclass(frozen=True)
class Queue:
    key: str
    label: str | Promise
    count: int | None  # None: not counted ("All tickets" would cost a scan of the table)


def _open() -> Q:
    return Q(status__in=OPEN)


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


def queue_counts(
    *, user: User, now: dt.datetime | None = None, types: Iterable[TicketType] = ()
) -> dict[str, int]:
    """Counts of every counted queue, `type:<slug>` ones included, in one or two queries.

    Open tickets are grouped by type id straight from the partial index
    `ticket_open_counts` (an index-only scan over open tickets in index order, never the
    solved history, no join); the ten-odd types name the groups and say which are
    complaints: `types` the caller has read already (the queue list's), else read here,
    also when an open ticket's type is not among them (a type turned off since).
    Recently solved tickets are counted through `ticket_solved_at`, in the same statement
    (an uncorrelated subquery: PostgreSQL runs it once, not per group), or on their own
    when no ticket is open (no group to carry it).
    """
    now = now or timezone.now()
    visible = selectors.ticket_list_for_user(user=user).order_by()
    recently_solved = count_subquery(visible.filter(_recently_solved(user, now)))
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
            n_solved=recently_solved,
        )
    )
    named = {t.id: (t.slug, t.kind) for t in types}
    rows = list(rows)
    if not named or any(row["type_id"] not in named for row in rows):
        named = {
            pk: (slug, kind)
            for pk, slug, kind in TicketType.objects.values_list("id", "slug", "kind")
        }
    counts = dict.fromkeys(set(QUEUES) - UNCOUNTED, 0)
    for row in rows:
        slug, kind = named[row["type_id"]]
        counts[TYPE_PREFIX + slug] = row["n_open"]
        for key in ("open", "mine", "unassigned", "waiting", "breaching"):
            counts[key] += row[f"n_{key}"]
        if kind == TicketType.Kind.COMPLAINT:
            counts["complaints"] += row["n_open"]
    counts["recently_solved"] = (
        rows[0]["n_solved"] if rows else visible.filter(_recently_solved(user, now)).count()
    )
    return counts


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
