"""The agent workspace around every console page: the header's own counts, the rail of
views the user may open, and the "My work" inbox that mixes tickets and chats.

The console is where tickets and live chat meet, so this module reads both (as
tickets/views/reports.py does): chats through livechat's models, read only, imported
where used so the tickets app still loads without livechat's tables being touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import is_security_reviewer
from core.kept_statements import STAND_IN_ID, KeptStatement, first_of
from core.kept_urls import reverse_kept
from tickets import selectors
from tickets.console.counting import count_subquery
from tickets.console.queues import OPEN
from tickets.models import Ticket
from tickets.permissions import Seen, TicketPolicy, Visibility, is_staff_agent, is_supervisor

INBOX_LIMIT = 100  # rows of "My work": an agent's own open work, never a whole queue


@dataclass(frozen=True)
class WorkCounts:
    """The header's numbers: the agent's own open tickets and chats, and who waits."""

    my_tickets: int
    my_chats: int | None  # None: not a chat agent (security reviewers)
    waiting_chats: int | None
    presence: str  # online / away / offline, "" for staff without chats


def work_counts(*, user: User) -> WorkCounts:
    """The header's counts and presence in one statement, on every console page: each
    an indexed count (tickets by assignee, chats by agent and status) as a subquery
    beside the user's own row, read by primary key. The statement is kept compiled per
    kind of viewer (core.kept_statements)."""
    from livechat.models import AgentPresence

    chat_agent = is_staff_agent(user)
    shape = (TicketPolicy.visibility(user).seen, chat_agent)
    found = _WORK_COUNTS_STATEMENT.run(shape, user_id=user.pk)
    row = found[0] if found else dict.fromkeys(_ASKED, 0)
    if not chat_agent:
        return WorkCounts(row["my_tickets"], None, None, "")
    return WorkCounts(
        my_tickets=row["my_tickets"],
        my_chats=row["my_chats"],
        waiting_chats=row["waiting_chats"],
        presence=row["presence"] or AgentPresence.Status.OFFLINE,
    )


_ASKED = ("my_tickets", "my_chats", "waiting_chats", "presence")


def _work_counts_statement(shape: tuple[Seen, bool], *, user_id: int) -> QuerySet[User]:
    from livechat.models import AgentPresence, Conversation

    seen, chat_agent = shape
    mine = selectors.ticket_list_visible(visibility=Visibility(seen, user_id))
    asked = {"my_tickets": count_subquery(mine.filter(assignee=user_id, status__in=OPEN))}
    if chat_agent:
        chats = Conversation.objects.all()
        asked |= {
            "my_chats": count_subquery(
                chats.filter(agent=user_id, status=Conversation.Status.ACTIVE)
            ),
            "waiting_chats": count_subquery(chats.filter(status=Conversation.Status.QUEUED)),
            "presence": Subquery(
                AgentPresence.objects.filter(agent=user_id).order_by().values("status")[:1]
            ),
        }
    return first_of(User.objects.filter(pk=user_id).values(**asked))


_WORK_COUNTS_STATEMENT = KeptStatement(_work_counts_statement, user_id=STAND_IN_ID)


@dataclass(frozen=True)
class RailLink:
    key: str
    label: str | Promise
    url: str
    count: int | None = None


@dataclass(frozen=True)
class RailSection:
    key: str
    label: str | Promise
    links: list[RailLink]


def rail_sections(*, user: User) -> list[RailSection]:
    """The views beyond ticket queues that `user` may open, section by section.

    The ticket queues themselves come from console.queue_nav (they refresh live).
    """
    sections = []
    if is_staff_agent(user):
        sections.append(
            RailSection(
                "chats",
                _("Live chats"),
                [
                    RailLink("chats", _("My chats"), reverse_kept("chat_console:home")),
                    RailLink("waiting", _("Waiting chats"), reverse_kept("chat_console:waiting")),
                    RailLink("profile", _("My chat profile"), reverse_kept("chat_console:profile")),
                ]
                + (
                    [RailLink("agents", _("Chat agents"), reverse_kept("chat_console:agents"))]
                    if is_supervisor(user)
                    else []
                ),
            )
        )
    if is_security_reviewer(user) or user.is_superuser:
        sections.append(
            RailSection(
                "security",
                _("Security queues"),
                [
                    RailLink("security", _("Security desk"), reverse_kept("security_desk:home")),
                    RailLink("kyc", _("KYC review"), reverse_kept("security_desk:kyc-queue")),
                    RailLink(
                        "appeals",
                        _("Unfreeze appeals"),
                        reverse_kept("security_desk:freeze-appeals"),
                    ),
                ],
            )
        )
    if is_supervisor(user):
        sections.append(
            RailSection(
                "reports",
                _("Reports"),
                [
                    RailLink("reports", _("Dashboard"), reverse_kept("tickets:reports")),
                    RailLink("emails", _("Inbound email"), reverse_kept("tickets:console-emails")),
                    RailLink("incidents", _("Incidents"), reverse_kept("incidents:list")),
                    RailLink(
                        "search-analytics",
                        _("Search analytics"),
                        reverse_kept("helpcenter:search-analytics"),
                    ),
                ],
            )
        )
    return sections


@dataclass(frozen=True)
class WorkItem:
    """One row of "My work": a ticket or a chat, with what the row shows."""

    channel: str  # "ticket" or "chat"
    key: str  # ticket number or chat public id
    title: str
    customer: User | None
    visitor_email: str
    status_label: str | Promise
    status: str
    activity_at: dt.datetime
    url: str
    priority: str = ""
    priority_label: str | Promise = ""
    language: str = ""

    @property
    def language_label(self) -> str | Promise:
        return dict(settings.LANGUAGES).get(self.language, self.language)


def my_work(*, user: User, limit: int = INBOX_LIMIT) -> list[WorkItem]:
    """`user`'s own open tickets and active chats, newest activity first.

    Only what is assigned to `user`: another agent's chats never appear, whoever asks
    (supervisors included: this is one's own inbox, not a queue).
    """
    tickets = (
        selectors.ticket_list_for_user(user=user)
        .filter(assignee=user, status__in=OPEN)
        .select_related("requester")
        .order_by("-updated_at", "-id")[:limit]
    )
    items = [_ticket_item(t) for t in tickets]
    if is_staff_agent(user):
        items += _chat_items(user=user, limit=limit)
    items.sort(key=lambda item: item.activity_at, reverse=True)
    return items[:limit]


def _ticket_item(ticket: Ticket) -> WorkItem:
    return WorkItem(
        channel="ticket",
        key=ticket.number,
        title=ticket.subject,
        customer=ticket.requester,
        visitor_email="",
        status_label=ticket.get_status_display(),
        status=ticket.status,
        activity_at=ticket.updated_at,
        url=reverse("tickets:console-ticket", args=[ticket.number]),
        priority=ticket.priority,
        priority_label=ticket.get_priority_display(),
        language=ticket.language,
    )


def _chat_items(*, user: User, limit: int) -> list[WorkItem]:
    from livechat.models import Conversation

    chats = (
        Conversation.objects.filter(agent=user, status=Conversation.Status.ACTIVE)
        .select_related("customer")
        .annotate(
            last_at=Coalesce(Max("messages__created_at"), "assigned_at", "created_at"),
        )
        .order_by("-last_at")[:limit]
    )
    home = reverse("chat_console:home")
    return [
        WorkItem(
            channel="chat",
            key=str(chat.public_id),
            title="",
            customer=chat.customer,
            visitor_email=chat.visitor_email,
            status_label=chat.get_status_display(),
            status=chat.status,
            activity_at=chat.last_at,
            url=f"{home}#chat-{chat.public_id}",
            language=chat.language,
        )
        for chat in chats
    ]
