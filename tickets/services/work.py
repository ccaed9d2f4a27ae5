"""What agents do to a ticket: status, assignment, priority, tags, followers; the system's auto-solve."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from tickets import notices, workflow
from tickets.models import (
    Ticket,
    TicketEvent,
)
from tickets.permissions import TicketPolicy
from tickets.services._common import _event, _reopen_window_passed, _set_status
from tickets.sla import service as sla


@transaction.atomic
def ticket_change_status(*, actor, ticket: Ticket, status: str) -> Ticket:
    """Move along the workflow; the same rules for staff pages, the API and customers."""
    ticket = Ticket.objects.select_for_update().get(id=ticket.id)
    staff = TicketPolicy.can_work(actor, ticket)
    if not staff and not TicketPolicy.is_requester(actor, ticket):
        raise PermissionDenied
    if status not in Ticket.Status.values or not workflow.allowed(
        ticket.status, status, by_staff=staff
    ):
        raise ApplicationError(
            _("A request that is %(current)s cannot become %(target)s.")
            % {
                "current": ticket.get_status_display(),
                "target": Ticket.Status(status).label if status in Ticket.Status.values else status,
            },
            code="bad_transition",
        )
    if not staff and status == Ticket.Status.OPEN and _reopen_window_passed(ticket):
        raise ApplicationError(
            _("This request was solved too long ago to reopen; please open a new one."),
            code="reopen_expired",
        )
    _set_status(ticket, actor, status)
    return ticket


@transaction.atomic
def ticket_assign(*, actor, ticket: Ticket, assignee) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(id=ticket.id)
    if not TicketPolicy.can_work(actor, ticket):
        raise PermissionDenied
    if assignee is not None and not TicketPolicy.can_be_assigned(assignee, ticket):
        raise ApplicationError(
            _("Tickets can only be assigned to agents of the ticket's team."), code="not_agent"
        )
    if assignee == ticket.assignee:
        return ticket
    before = ticket.assignee.email if ticket.assignee else ""
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee", "updated_at"])
    _event(ticket, actor, TicketEvent.Kind.ASSIGNED, before, assignee.email if assignee else "")
    if assignee is not None:
        notices.assigned(ticket, assignee, by=actor)
    if ticket.status == Ticket.Status.NEW and assignee is not None:
        _set_status(ticket, actor, Ticket.Status.OPEN)
    return ticket


@transaction.atomic
def ticket_change_priority(*, actor, ticket: Ticket, priority: str) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(id=ticket.id)
    if not TicketPolicy.can_work(actor, ticket):
        raise PermissionDenied
    if priority not in Ticket.Priority.values:
        raise ApplicationError(_("Unknown priority."), code="bad_priority")
    if priority == ticket.priority:
        return ticket
    before, ticket.priority = ticket.priority, priority
    ticket.save(update_fields=["priority", "updated_at", *sla.sla_refresh(ticket)])
    _event(ticket, actor, TicketEvent.Kind.PRIORITY, before, priority)
    return ticket


MAX_TAGS = 20


_TAG = re.compile(r"^[\w-]{1,30}$")


@transaction.atomic
def ticket_tag(*, actor, ticket: Ticket, add: list[str] = (), remove: list[str] = ()) -> Ticket:
    """Add and remove tags (lower-case words, digits, - and _, up to 30 characters)."""
    ticket = Ticket.objects.select_for_update().get(id=ticket.id)
    if not TicketPolicy.can_work(actor, ticket):
        raise PermissionDenied
    wanted = [tag.strip().lower() for tag in add if tag.strip()]
    if bad := [tag for tag in wanted if not _TAG.match(tag)]:
        raise ApplicationError(_("Not a valid tag: %(tag)s") % {"tag": bad[0][:40]}, code="bad_tag")
    dropped = {tag.strip().lower() for tag in remove}
    tags = [tag for tag in dict.fromkeys([*ticket.tags, *wanted]) if tag not in dropped]
    if len(tags) > MAX_TAGS:
        raise ApplicationError(_("At most %(n)d tags.") % {"n": MAX_TAGS}, code="too_many_tags")
    if tags != ticket.tags:
        before, ticket.tags = ", ".join(ticket.tags), tags
        ticket.save(update_fields=["tags", "updated_at"])
        _event(ticket, actor, TicketEvent.Kind.TAGGED, before, ", ".join(tags))
    return ticket


@transaction.atomic
def ticket_follow(*, actor, ticket: Ticket) -> Ticket:
    """`actor` follows `ticket`; following again changes nothing and records nothing."""
    ticket = Ticket.objects.select_for_update().get(id=ticket.id)  # one event, even when raced
    if not TicketPolicy.can_work(actor, ticket):
        raise PermissionDenied
    if not ticket.followers.filter(id=actor.id).exists():
        ticket.followers.add(actor)
        _event(ticket, actor, TicketEvent.Kind.FOLLOWED, to_value=actor.email)
    return ticket


@transaction.atomic
def ticket_unfollow(*, actor, ticket: Ticket) -> Ticket:
    """`actor` stops following `ticket`; not following it already is not an error."""
    ticket = Ticket.objects.select_for_update().get(id=ticket.id)
    if not TicketPolicy.can_work(actor, ticket):
        raise PermissionDenied
    if ticket.followers.filter(id=actor.id).exists():
        ticket.followers.remove(actor)
        _event(ticket, actor, TicketEvent.Kind.UNFOLLOWED, actor.email, "")
    return ticket


@transaction.atomic
def ticket_auto_solve(*, ticket_id: int, waited_since: dt.datetime) -> bool:
    """Solve a ticket that waited on its customer since `waited_since` or longer; the
    system acts, so the event has no actor and the customer is told it was automatic.
    False when it changed meanwhile (the customer answered, an agent moved it)."""
    ticket = Ticket.objects.select_for_update().filter(id=ticket_id).first()
    if (
        ticket is None
        or ticket.status != Ticket.Status.PENDING
        or ticket.sla_paused_at is None
        or ticket.sla_paused_at > waited_since
    ):
        return False
    _set_status(ticket, None, Ticket.Status.SOLVED)
    return True
