"""Merging tickets into one, and splitting messages off into a new ticket."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.text import plain_text
from tickets.models import (
    Ticket,
    TicketEvent,
)
from tickets.permissions import TicketPolicy
from tickets.services._common import _NUMBER, _event, _next_number
from tickets.sla import service as sla


@transaction.atomic
def ticket_merge(*, actor, source: Ticket, target: Ticket) -> Ticket:
    """Move `source`'s messages (with attachments) to `target`; `source` closes, pointing there."""
    first, second = sorted([source.id, target.id])  # lock in id order: no deadlock
    locked = {t.id: t for t in Ticket.objects.select_for_update().filter(id__in=[first, second])}
    source, target = locked.get(source.id), locked.get(target.id)
    if source is None or target is None or source.id == target.id:
        raise ApplicationError(_("Choose two different tickets to merge."), code="merge_same")
    if not (TicketPolicy.can_work(actor, source) and TicketPolicy.can_work(actor, target)):
        raise PermissionDenied
    if source.requester_id != target.requester_id:
        raise ApplicationError(
            _("Only tickets of the same customer can be merged."), code="merge_requesters"
        )
    if source.merged_into_id or target.merged_into_id or target.status == Ticket.Status.CLOSED:
        raise ApplicationError(
            _("A merged or closed ticket cannot take part in a merge."), code="merge_state"
        )
    moved = source.messages.update(ticket=target)
    source.merged_into, source.status = target, Ticket.Status.CLOSED
    source.save(update_fields=["merged_into", "status", "updated_at", *sla.sla_refresh(source)])
    _event(source, actor, TicketEvent.Kind.MERGED, source.number, target.number)
    _event(target, actor, TicketEvent.Kind.MERGED, source.number, f"{target.number} (+{moved})")
    return target


def split_subject_default(ticket: Ticket) -> str:
    """The new ticket's subject unless the agent types one, in the customer's language."""
    with translation.override(ticket.language):
        subject = _("Split from %(number)s: %(subject)s") % {
            "number": ticket.number,
            "subject": ticket.subject,
        }
    return subject[:200]


def _message_ids(values) -> set[int]:
    """Ids as posted; anything that cannot be one of our ids is refused, not skipped."""
    texts = [str(value) for value in values]
    if not all(t.isascii() and t.isdigit() and len(t) <= 18 for t in texts):
        raise ApplicationError(_("Choose messages of this ticket only."), code="split_foreign")
    return {int(t) for t in texts}


@transaction.atomic
def ticket_split(*, actor, ticket: Ticket, message_ids, subject: str = "") -> Ticket:
    """Move the chosen messages (with attachments) of `ticket` to a new ticket.

    The new ticket is the same requester's, of the same type, language, channel, team,
    assignee and priority, so whoever works the original can work it too. The original
    keeps at least one message; each ticket records an event naming the other.
    """
    ticket = Ticket.objects.select_for_update().select_related("type").get(id=ticket.id)
    if not TicketPolicy.can_work(actor, ticket):
        raise PermissionDenied
    if ticket.merged_into_id or ticket.status == Ticket.Status.CLOSED:
        raise ApplicationError(_("A merged or closed ticket cannot be split."), code="split_state")
    wanted = _message_ids(message_ids)
    if not wanted:
        raise ApplicationError(_("Tick the messages to split off."), code="split_none")
    if ticket.messages.filter(id__in=wanted).count() != len(wanted):
        raise ApplicationError(_("Choose messages of this ticket only."), code="split_foreign")
    if not ticket.messages.exclude(id__in=wanted).exists():
        raise ApplicationError(_("Leave at least one message on this ticket."), code="split_all")
    subject = plain_text(subject).strip() or split_subject_default(ticket)
    if len(subject) > 200:
        raise ApplicationError(
            _("A subject of 1 to 200 characters is needed."),
            code="too_long",
            extra={"field": "subject"},
        )
    new = _split_ticket(ticket, subject)
    moved = ticket.messages.filter(id__in=wanted).update(ticket=new)
    _event(new, actor, TicketEvent.Kind.CREATED, to_value=new.status)
    _event(new, actor, TicketEvent.Kind.SPLIT_FROM, ticket.number, new.number)
    _event(ticket, actor, TicketEvent.Kind.SPLIT_TO, ticket.number, f"{new.number} (-{moved})")
    return new


def _split_ticket(ticket: Ticket, subject: str) -> Ticket:
    new = Ticket(
        number=_next_number(timezone.now()),
        requester=ticket.requester,
        type=ticket.type,
        subject=subject,
        channel=ticket.channel,
        language=ticket.language,
        team=ticket.team,
        assignee=ticket.assignee,
        priority=ticket.priority,
        # Assigned is being worked, as ticket_assign would have it.
        status=Ticket.Status.OPEN if ticket.assignee_id else Ticket.Status.NEW,
    )
    new.full_clean()
    new.save()
    # Its clocks start now, as for any new ticket (ticket_create does the same).
    new.save(update_fields=sla.sla_refresh(new, fired=set()))
    return new


def ticket_merge_target(*, actor, number: str) -> Ticket:
    """The ticket numbered `number` (as typed) that `actor` may see, to merge into.

    One not visible to `actor` reads as missing, as a 404 would: the message cannot tell
    an agent that another team's ticket exists.
    """
    number = number.strip()
    target = None
    if _NUMBER.match(number):  # also keeps NUL bytes, which PostgreSQL refuses, out of SQL
        visible = Ticket.objects.filter(TicketPolicy.visible_filter(actor))
        target = visible.filter(number=number).first()
    if target is None:
        raise ApplicationError(
            _("Type the number of a ticket to merge into, e.g. 261122-000001."),
            code="merge_target",
        )
    return target


def _bulk_merge(*, actor, tickets: list[Ticket], number: str) -> int:
    """Merge `tickets` into the one numbered `number`; a ticked target itself is skipped.

    Every row is locked in id order first: merging one by one would otherwise take the
    locks out of order and could deadlock with another agent's merge.
    """
    target = ticket_merge_target(actor=actor, number=number)
    sources = [t for t in tickets if t.id != target.id]
    if not sources:
        raise ApplicationError(
            _("Tick the tickets to merge into %(number)s.") % {"number": target.number},
            code="merge_none",
        )
    ids = sorted({target.id, *(t.id for t in sources)})
    list(Ticket.objects.select_for_update().filter(id__in=ids).order_by("id").values_list("id"))
    for source in sources:
        try:
            ticket_merge(actor=actor, source=source, target=target)
        except ApplicationError as exc:
            raise ApplicationError(f"{source.number}: {exc.message}", code=exc.code) from exc
    return len(sources)
