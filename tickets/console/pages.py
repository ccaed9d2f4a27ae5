"""What the console's pages show: the queue page, the ticket page, the agents to assign."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from accounts.models import Role, User
from accounts.selectors import AccountSecurity
from core.exceptions import ApplicationError
from tickets import selectors, services, workflow
from tickets.console import statements
from tickets.console.count_cache import queue_counts_for_page, queue_counts_kept
from tickets.console.filters import _small_int
from tickets.console.queues import (
    DEFAULT_QUEUE,
    QUEUES,
    TYPE_PREFIX,
    Queue,
    S,
    queue_filter,
    queue_page,
)
from tickets.console.rows import QueueRow, queue_links_html, queue_rows, queue_rows_html
from tickets.console.staff import active_staff
from tickets.fields import FIELD_SPECS
from tickets.macros import macros_for_ticket
from tickets.models import Macro, Team, Ticket, TicketEvent, TicketMessage, TicketType
from tickets.permissions import TicketPolicy, is_supervisor


def staff_agents() -> QuerySet[User]:
    """Everyone some ticket can be assigned to (the queue page's assignee filter)."""
    roles = [role.value for role in Role if role != Role.CUSTOMER]
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
    # The counts were kept from before the latest change: the page's script fetches fresh ones.
    counts_stale: bool

    @property
    def fixed_links_html(self) -> SafeString:
        return queue_links_html(self.fixed_queues, self.queue)

    @property
    def type_links_html(self) -> SafeString:
        return queue_links_html(self.type_queues, self.queue)

    @property
    def current(self) -> Queue:
        every = self.fixed_queues + self.type_queues
        return next((q for q in every if q.key == self.queue), Queue(self.queue, self.queue, 0))


def queue_nav(*, user: User, queue: str, lang: str, for_page: bool = False) -> QueueNav:
    """The queues `user` sees; an unknown key stands for the default queue. `for_page`: a
    whole page is being drawn, so counts kept from before the latest change will do (the
    page refreshes them); the live refresh itself wants current ones."""
    queue = queue if queue_filter(user=user, queue=queue) is not None else DEFAULT_QUEUE
    types = statements.ticket_types_for_staff(user=user)
    if for_page:
        counts, stale = queue_counts_for_page(user=user, types=types)
    else:
        counts, stale = queue_counts_kept(user=user, types=types), False
    return QueueNav(
        queue=queue,
        fixed_queues=[Queue(key, label, counts.get(key)) for key, (label, _f) in QUEUES.items()],
        type_queues=[
            Queue(TYPE_PREFIX + t.slug, t.name(lang), counts.get(TYPE_PREFIX + t.slug, 0))
            for t in types
        ],
        types=types,
        show_reports=is_supervisor(user),
        counts_stale=stale,
    )


@dataclass
class QueueView(QueueNav):
    tickets: list[QueueRow]
    next_cursor: str | None
    teams: list[Team]
    agents: list[User]

    @property
    def rows_html(self) -> SafeString:
        return queue_rows_html(self.tickets)

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
    nav = queue_nav(user=user, queue=queue, lang=lang, for_page=True)
    tickets, next_cursor = queue_page(user=user, queue=nav.queue, filters=filters, after=after)
    return QueueView(
        **vars(nav),
        tickets=queue_rows(tickets, lang),
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
        for event in statements.timeline_events(ticket)
    ]


@dataclass
class TicketView:
    ticket: Ticket
    messages: list[TicketMessage]
    timeline: list[TimelineEntry]
    fields: list[tuple[str | Promise, str, str]]  # label, value, kind (text, datetime, …)
    requester_recent: list[Ticket]
    requester_security: AccountSecurity
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

    404 (from statements.ticket_for_page) when the agent may not see the ticket.
    """
    ticket = statements.ticket_for_page(user=user, number=number)
    allowed = workflow.TRANSITIONS.get(ticket.status, set())
    messages = statements.conversation_for_page(user=user, ticket=ticket)
    agents, followers = _agents_and_followers(ticket, follower_ids=ticket.follower_ids)
    return TicketView(
        ticket=ticket,
        messages=messages,
        timeline=_timeline(ticket),
        fields=[
            (spec.label, value, spec.kind) if (spec := FIELD_SPECS.get(name)) else (name, value, "")
            for name, value in ticket.fields.items()
        ],
        requester_recent=[Ticket(**row) for row in ticket.recent_rows],
        requester_security=selectors.requester_security_from(vars(ticket)),
        transitions=[(value, label) for value, label in S.choices if value in allowed],
        agents=agents,
        macros=macros_for_ticket(
            ticket=ticket, agent=user, active=[Macro(**row) for row in ticket.macro_rows]
        ),
        original_messages=_original_messages(user, ticket),
        followers=followers,
        following=any(follower.id == user.id for follower in followers),
        can_split=len(messages) > 1 and ticket.status != S.CLOSED and not ticket.merged_into_id,
        split_subject=services.split_subject_default(ticket),
    )


def ticket_followers(ticket: Ticket) -> QuerySet[User]:
    """The staff following `ticket` who may still see it, by email: whom to tell of changes.

    Someone who has since left the ticket's team or lost their role stays stored but is
    not returned, so nothing about the ticket reaches a person who may no longer read it.
    """
    workers = TicketPolicy.workers_filter(ticket)
    return ticket.followers.filter(workers, is_active=True).order_by("email")


def _agents_and_followers(
    ticket: Ticket, *, follower_ids: list[int]
) -> tuple[list[User], list[User]]:
    """The assignee choices (who ticket_assign would accept) and the followers
    (ticket_followers), by email,
    from the kept staff (tickets.console.staff) and the ids of the ticket's followers."""
    staff = active_staff()
    following = set(follower_ids)
    return (
        [m.user for m in staff if TicketPolicy.can_be_assigned_member(m, ticket)],
        [m.user for m in staff if m.id in following and TicketPolicy.can_work_member(m, ticket)],
    )


def _original_messages(user: User, ticket: Ticket) -> list[TicketMessage]:
    """For a complaint: the conversation complained about, shown beside it."""
    if ticket.original_id is None:
        return []
    return list(selectors.ticket_messages_for_user(user=user, ticket=ticket.original))
