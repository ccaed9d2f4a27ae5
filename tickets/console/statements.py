"""The console's statements that every ticket page (and every console page, for the
types) sends, kept compiled per process (core.kept_statements; issue 19).

What a person may see is still decided on every request and in SQL: TicketPolicy says
which kind of viewer they are (`visibility`, `can_work`, `sees_reviews`), which picks the
kept statement, and the statement runs with their id and the ticket's.
"""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet
from django.db.models.functions import JSONObject
from django.http import Http404

from accounts.models import User
from core.kept_statements import STAND_IN_ID, KeptStatement, first_of
from tickets import selectors
from tickets.console.queues import REQUESTER_RECENT
from tickets.models import Macro, Ticket, TicketEvent, TicketMessage, TicketType
from tickets.permissions import Seen, TicketPolicy, Visibility


def ticket_for_page(*, user: User, number: str) -> Ticket:
    """selectors.ticket_get_for_user with the side panels' columns (_side_panel_columns);
    404 when `user` may not see it."""
    visibility = TicketPolicy.visibility(user)
    found = _TICKET.run(visibility.seen, user_id=visibility.user_id, number=number)
    if not found:
        raise Http404
    return found[0]


def conversation_for_page(*, user: User, ticket: Ticket) -> list[TicketMessage]:
    """selectors.ticket_messages_for_user, with how each message came by email."""
    return _CONVERSATION.run(TicketPolicy.can_work(user, ticket), ticket_id=ticket.id)


def timeline_events(ticket: Ticket) -> list[TicketEvent]:
    return _TIMELINE.run("events", ticket_id=ticket.id)


def ticket_types_for_staff(*, user: User) -> list[TicketType]:
    """selectors.ticket_types_for_staff: the rail's types, on every console page."""
    return _TYPES.run(TicketPolicy.sees_reviews(user))


def _ticket_statement(seen: Seen, *, user_id: int, number: str) -> QuerySet[Ticket]:
    visibility = Visibility(seen, user_id)
    tickets = selectors.ticket_list_visible(visibility=visibility).filter(number=number)
    return first_of(tickets.annotate(**_side_panel_columns(visibility)))


def _side_panel_columns(visibility: Visibility) -> dict:
    """What the ticket page's side panels read from other tables, as columns of the
    ticket's own statement (each its own round trip before, issue 19): the requester's
    security facts, their other recent tickets the viewer may see, and the active macros
    (uncorrelated: PostgreSQL reads them once). The rows come as JSON, with only the
    fields the page shows."""
    recent = (
        selectors.ticket_list_visible(visibility=visibility)
        .filter(requester_id=OuterRef("requester_id"))
        .exclude(id=OuterRef("id"))
        .order_by("-created_at", "-id")
        .values(row=JSONObject(number="number", subject="subject", status="status"))
    )
    macros = (
        Macro.objects.filter(is_active=True)
        .order_by("id")
        .values(row=JSONObject(id="id", title="title", language="language", body="body"))
    )
    return {
        **selectors.requester_security_columns(
            user_ref="requester_id", email_ref="requester__email"
        ),
        "recent_rows": ArraySubquery(recent[:REQUESTER_RECENT]),
        "macro_rows": ArraySubquery(macros),
        "follower_ids": ArraySubquery(
            Ticket.followers.through.objects.filter(ticket_id=OuterRef("id"))
            .order_by()
            .values("user_id")
        ),
    }


def _conversation_statement(with_internal: bool, *, ticket_id: int) -> QuerySet[TicketMessage]:
    messages = TicketMessage.objects.filter(ticket=ticket_id)
    return (
        selectors.ticket_messages_shown(messages, with_internal=with_internal)
        .select_related("email")  # "by email · original" on messages that came by mail
        .defer("email__raw_compressed", "email__text", "email__html")
    )


_TICKET = KeptStatement(_ticket_statement, user_id=STAND_IN_ID, number="kept-statement:number")
_CONVERSATION = KeptStatement(_conversation_statement, ticket_id=STAND_IN_ID)
_TIMELINE = KeptStatement(
    lambda _shape, *, ticket_id: TicketEvent.objects.filter(ticket=ticket_id).select_related(
        "actor"
    ),
    ticket_id=STAND_IN_ID,
)
_TYPES = KeptStatement(
    lambda with_reviews: selectors.ticket_types_staff_sees(with_reviews=with_reviews)
)
