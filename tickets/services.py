"""Every write to tickets. Each takes the acting user and checks the policy first."""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from tickets import alerts, attachments, fields, realtime, workflow
from tickets.models import (
    Ticket,
    TicketAttachment,
    TicketDaySequence,
    TicketEvent,
    TicketMessage,
    TicketType,
)
from tickets.permissions import TicketPolicy, is_supervisor
from tickets.sla import service as sla

logger = logging.getLogger(__name__)
MAX_BODY = 20_000


def _clean_body(body: str) -> str:
    """Plain text only: stored as typed (minus NULs), escaped wherever it is shown."""
    body = body.replace("\x00", "").strip()
    if not body:
        raise ApplicationError(_("Write a message."), code="empty_body")
    if len(body) > MAX_BODY:
        raise ApplicationError(
            _("Messages are limited to %(n)d characters.") % {"n": MAX_BODY}, code="body_too_long"
        )
    return body


def _next_number(now: dt.datetime) -> str:
    """`YYMMDD-NNNNNN`: easy to read out on the phone. Must run inside a transaction."""
    day = now.date()
    TicketDaySequence.objects.get_or_create(day=day)
    sequence = TicketDaySequence.objects.select_for_update().get(day=day)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{day:%y%m%d}-{sequence.last:06d}"


def _event(
    ticket: Ticket, actor, kind: str, from_value: object = "", to_value: object = ""
) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=kind,
        from_value=str(from_value)[:200],
        to_value=str(to_value)[:200],
    )
    realtime.queues_changed_on_commit()  # every recorded change may move queue counts


def _attach(message: TicketMessage, checked: list[attachments.CheckedFile]) -> None:
    for item in checked:
        attachment = TicketAttachment(
            message=message,
            original_name=item.name,
            content_type=item.content_type,
            size=item.upload.size,
            sha256=item.sha256,
        )
        attachment.file.save(item.name, item.upload, save=False)
        attachment.save()


def _checked_files(files: list[UploadedFile] | None) -> list[attachments.CheckedFile]:
    try:
        return attachments.check_uploads(files or [])
    except attachments.AttachmentError as exc:
        raise ApplicationError(str(exc), code="bad_attachment", extra={"field": "files"}) from exc


@transaction.atomic
def ticket_create(
    *,
    requester,
    ticket_type: TicketType,
    subject: str,
    body: str,
    field_values: dict[str, object],
    files: list[UploadedFile] | None = None,
    channel: str = Ticket.Channel.WEB,
    language: str = "en",
    original: Ticket | None = None,
    priority: str = Ticket.Priority.NORMAL,
) -> Ticket:
    """Open a request for `requester` (the acting customer); everything or nothing is saved."""
    if not requester.is_authenticated:
        raise PermissionDenied
    if not ticket_type.is_active:
        raise ApplicationError(_("Choose a request type from the list."), code="unknown_type")
    subject = subject.replace("\x00", "").strip()
    if not subject or len(subject) > 200:
        raise ApplicationError(
            _("A subject of 1 to 200 characters is needed."),
            code="subject",
            extra={"field": "subject"},
        )
    body, checked = _clean_body(body), _checked_files(files)
    now = timezone.now()
    try:
        values = fields.clean_fields(ticket_type.fields, field_values, now)
    except fields.FieldError as exc:
        raise ApplicationError(
            exc.message, code="invalid_field", extra={"field": exc.field}
        ) from exc
    ticket = Ticket(
        number=_next_number(now),
        requester=requester,
        type=ticket_type,
        subject=subject,
        channel=channel,
        language=language,
        team=ticket_type.team,
        fields=values,
        txid=values.get("txid", ""),
        order_id=values.get("order_id", ""),
        original=original,
        priority=priority,
    )
    ticket.full_clean()
    ticket.save()
    ticket.save(update_fields=sla.sla_refresh(ticket, fired=set()))
    message = TicketMessage.objects.create(ticket=ticket, author=requester, body=body)
    _attach(message, checked)
    _event(ticket, requester, TicketEvent.Kind.CREATED, to_value=ticket.status)
    alerts.ticket_received(ticket)
    return ticket


@transaction.atomic
def ticket_reply(
    *,
    actor,
    ticket: Ticket,
    body: str,
    internal: bool = False,
    files: list[UploadedFile] | None = None,
) -> TicketMessage:
    """A public reply (customer or staff) or an internal note (staff only)."""
    ticket = Ticket.objects.select_for_update().get(id=ticket.id)
    staff = TicketPolicy.can_work(actor, ticket)
    if not staff and not TicketPolicy.is_requester(actor, ticket):
        raise PermissionDenied
    if internal and not staff:
        raise PermissionDenied
    if ticket.status == Ticket.Status.CLOSED or (not staff and _reopen_window_passed(ticket)):
        raise ApplicationError(_("This request is closed. Please open a new one."), code="closed")
    body, checked = _clean_body(body), _checked_files(files)
    visibility = TicketMessage.Visibility.INTERNAL if internal else TicketMessage.Visibility.PUBLIC
    message = TicketMessage.objects.create(
        ticket=ticket, author=actor, body=body, visibility=visibility, by_staff=staff
    )
    _attach(message, checked)
    _event(ticket, actor, TicketEvent.Kind.NOTE if internal else TicketEvent.Kind.REPLIED)
    if internal:
        return message
    ticket.save(update_fields=sla.sla_public_message(ticket, by_staff=staff, at=message.created_at))
    if staff and ticket.status in {Ticket.Status.NEW, Ticket.Status.OPEN}:
        _set_status(ticket, actor, Ticket.Status.PENDING)
    elif not staff and ticket.status in {Ticket.Status.PENDING, Ticket.Status.SOLVED}:
        _set_status(ticket, actor, Ticket.Status.OPEN)
    if staff:
        alerts.agent_replied(message)
    else:
        alerts.customer_replied(message, followers=ticket.followers.filter(is_active=True))
    return message


def _reopen_window_passed(ticket: Ticket) -> bool:
    """A solved request older than the reopen window takes no more customer replies."""
    limit = dt.timedelta(days=workflow.REOPEN_DAYS)
    return (
        ticket.status == Ticket.Status.SOLVED
        and ticket.solved_at is not None
        and (timezone.now() - ticket.solved_at > limit)
    )


def _set_status(ticket: Ticket, actor, target: str) -> None:
    before = ticket.status
    ticket.status = target
    ticket.solved_at = timezone.now() if target == Ticket.Status.SOLVED else ticket.solved_at
    if target == Ticket.Status.OPEN:
        ticket.solved_at = None
    clock_fields = sla.sla_status_changed(ticket, before=before, now=timezone.now())
    ticket.save(update_fields=["status", "solved_at", "updated_at", *clock_fields])
    if target == Ticket.Status.SOLVED:
        alerts.solved(ticket, automatic=actor is None)
    _event(ticket, actor, TicketEvent.Kind.STATUS, before, target)


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
            code="invalid_transition",
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
        alerts.assigned(ticket, assignee, by=actor)
    if ticket.status == Ticket.Status.NEW and assignee is not None:
        _set_status(ticket, actor, Ticket.Status.OPEN)
    return ticket


@transaction.atomic
def ticket_change_priority(*, actor, ticket: Ticket, priority: str) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(id=ticket.id)
    if not TicketPolicy.can_work(actor, ticket):
        raise PermissionDenied
    if priority not in Ticket.Priority.values:
        raise ApplicationError(_("Unknown priority."), code="invalid_priority")
    if priority == ticket.priority:
        return ticket
    before, ticket.priority = ticket.priority, priority
    ticket.save(update_fields=["priority", "updated_at", *sla.sla_refresh(ticket)])
    _event(ticket, actor, TicketEvent.Kind.PRIORITY, before, priority)
    return ticket


@transaction.atomic
def ticket_rate(*, actor, ticket: Ticket, rating: int, comment: str = "") -> Ticket:
    """The requester's 1–5 rating once the ticket is solved; rating again replaces it."""
    ticket = Ticket.objects.select_for_update().get(id=ticket.id)
    if not TicketPolicy.is_requester(actor, ticket):
        raise PermissionDenied
    if ticket.status not in {Ticket.Status.SOLVED, Ticket.Status.CLOSED}:
        raise ApplicationError(_("You can rate a request once it is solved."), code="not_solved")
    if rating not in range(1, 6):
        raise ApplicationError(_("Choose a rating from 1 to 5."), code="invalid_rating")
    comment = comment.replace("\x00", "").strip()
    if len(comment) > 2000:
        raise ApplicationError(_("Comments are limited to 2000 characters."), code="too_long")
    before, ticket.rating, ticket.rating_comment = ticket.rating, rating, comment
    ticket.save(update_fields=["rating", "rating_comment", "updated_at"])
    _event(ticket, actor, TicketEvent.Kind.RATED, before or "", rating)
    return ticket


@transaction.atomic
def ticket_complain(*, actor, ticket: Ticket, body: str, language: str = "en") -> Ticket:
    """A complaint about how `ticket` was handled: a new complaint ticket linked to it."""
    if not TicketPolicy.is_requester(actor, ticket):
        raise PermissionDenied
    if ticket.type.kind == TicketType.Kind.COMPLAINT:
        raise ApplicationError(
            _("This is already a complaint; reply to it instead."), code="complaint_of_complaint"
        )
    pending = ticket.complaints.exclude(status=Ticket.Status.CLOSED).first()
    if pending is not None:
        raise ApplicationError(
            _("You already complained about this request: %(number)s.")
            % {"number": pending.number},
            code="complaint_exists",
            extra={"number": pending.number},
        )
    complaint_type = TicketType.objects.filter(
        kind=TicketType.Kind.COMPLAINT, is_active=True
    ).first()
    if complaint_type is None:
        raise ApplicationError(_("Complaints cannot be filed right now."), code="no_complaint_type")
    complaint = ticket_create(
        requester=actor,
        ticket_type=complaint_type,
        body=body,
        field_values={},
        subject=_("Complaint about request %(number)s") % {"number": ticket.number},
        language=language,
        original=ticket,
        priority=Ticket.Priority.HIGH,
    )
    _event(ticket, actor, TicketEvent.Kind.COMPLAINED, to_value=complaint.number)
    return complaint


@transaction.atomic
def complaint_resolve(*, actor, complaint: Ticket, outcome: str, reply: str) -> Ticket:
    """A supervisor's outcome and answer to a complaint; the complaint is then solved."""
    complaint = Ticket.objects.select_for_update().select_related("type").get(id=complaint.id)
    if not is_supervisor(actor):
        raise PermissionDenied
    if complaint.type.kind != TicketType.Kind.COMPLAINT:
        raise ApplicationError(_("Only complaints have an outcome."), code="not_a_complaint")
    if outcome not in Ticket.ComplaintOutcome.values:
        raise ApplicationError(_("Choose an outcome."), code="invalid_outcome")
    ticket_reply(actor=actor, ticket=complaint, body=reply)
    complaint.refresh_from_db()
    before, complaint.complaint_outcome = complaint.complaint_outcome, outcome
    complaint.save(update_fields=["complaint_outcome", "updated_at"])
    _event(complaint, actor, TicketEvent.Kind.OUTCOME, before, outcome)
    if complaint.status != Ticket.Status.SOLVED:
        _set_status(complaint, actor, Ticket.Status.SOLVED)
    return complaint


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
    subject = subject.replace("\x00", "").strip() or split_subject_default(ticket)
    if len(subject) > 200:
        raise ApplicationError(
            _("A subject of 1 to 200 characters is needed."),
            code="subject",
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


BULK_ACTIONS = ("assign", "status", "priority", "tag", "merge")
_NUMBER = re.compile(r"^[0-9]{6}-[0-9]{6}$")


@transaction.atomic
def tickets_bulk_update(
    *, actor, tickets: list[Ticket], action: str, value: str, assignee=None
) -> int:
    """One change to many tickets, all or nothing: a refusal names the ticket and undoes all.

    For "merge", `value` is the number of the ticket the others are merged into.
    """
    if action not in BULK_ACTIONS:
        raise ApplicationError(_("Unknown bulk action."), code="bulk_action")
    if action == "merge":
        return _bulk_merge(actor=actor, tickets=tickets, number=value)
    for ticket in tickets:
        try:
            if action == "assign":
                ticket_assign(actor=actor, ticket=ticket, assignee=assignee)
            elif action == "status":
                ticket_change_status(actor=actor, ticket=ticket, status=value)
            elif action == "priority":
                ticket_change_priority(actor=actor, ticket=ticket, priority=value)
            else:
                ticket_tag(actor=actor, ticket=ticket, add=[value])
        except ApplicationError as exc:
            raise ApplicationError(f"{ticket.number}: {exc.message}", code=exc.code) from exc
    return len(tickets)


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
