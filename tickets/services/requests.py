"""What customers do (and staff in the same conversation): file, reply, rate, complain."""

from __future__ import annotations

from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import trust
from core.exceptions import ApplicationError
from core.text import plain_text
from tickets import fields, notices, workflow
from tickets.models import (
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketType,
)
from tickets.permissions import TicketPolicy, is_supervisor
from tickets.services._common import (
    _attach,
    _checked_files,
    _clean_body,
    _event,
    _internal_note,
    _masked,
    _next_number,
    _reopen_window_passed,
    _set_status,
)
from tickets.services.security import UNVERIFIED_SENDER_TAG
from tickets.sla import service as sla

SUBJECT_MAX = 200  # Ticket.subject's length


class Opened(NamedTuple):
    ticket: Ticket
    message: TicketMessage  # the request's first message, as the customer wrote it


def ticket_create(**kwargs) -> Ticket:
    """ticket_open's ticket (see there)."""
    return ticket_open(**kwargs).ticket


def ticket_open(
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
    acknowledge: bool = True,
    proof: trust.Proof = trust.Proof.SIGNED_IN,
    unverified_sender_note: str = "",
) -> Opened:
    """Open a request for `requester` (the acting customer); everything or nothing is saved.

    `acknowledge=False` sends no "we received your request" email: for a message Beacon
    could not read, which may itself have been automatic. `proof` is how the sender proved
    they are `requester` (accounts.trust): an unproven request is kept for agents but not
    listed on the account, and its emails quote nothing of it. `unverified_sender_note`:
    the request is flagged as from an unverified sender with that note, written with it
    (as ticket_flag_unverified_sender does afterwards, without its UPDATE).

    Atomic; inside a caller's transaction it takes no savepoint (two statements a ticket,
    each a round trip: email intake makes many in a row): every refusal is raised before
    the first write, and a failure after it is the caller's transaction's to roll back.
    """
    if not requester.is_authenticated:
        raise PermissionDenied
    if not ticket_type.is_active or ticket_type.kind == TicketType.Kind.REVIEW:
        raise ApplicationError(_("Choose a request type from the list."), code="unknown_type")
    subject = plain_text(subject).strip()  # (why on the way in: _common._clean_body)
    if not subject or len(subject) > SUBJECT_MAX:
        raise ApplicationError(
            _("A subject of 1 to 200 characters is needed."),
            code="empty" if not subject else "too_long",
            extra={"field": "subject"},
        )
    body, checked = _clean_body(body), _checked_files(files)
    (subject, body), masked = _masked(subject, body)
    now = timezone.now()
    try:
        values = fields.clean_fields(ticket_type.fields, field_values, now)
    except fields.FieldError as exc:
        raise ApplicationError(exc.message, code="bad_field", extra={"field": exc.field}) from exc
    ticket = Ticket(
        requester=requester,
        type=ticket_type,
        # A mask can be longer than the password it hides; the customer typed few enough.
        subject=subject[:SUBJECT_MAX],
        channel=channel,
        language=language,
        team=ticket_type.team,
        fields=values,
        txid=values.get("txid", ""),
        order_id=values.get("order_id", ""),
        original=original,
        priority=priority,
        sender_proven=trust.Sender(account=requester, proof=proof).proven,
        tags=[UNVERIFIED_SENDER_TAG] if unverified_sender_note else [],
    )
    # Fields only: what the database enforces is left to it (a query each, on every new
    # ticket): the related rows were handed in as objects, the number comes from the
    # day's sequence, the one check constraint is on the rating, not set yet.
    ticket.full_clean(
        exclude=["requester", "type", "team", "original", "number"],
        validate_unique=False,
        validate_constraints=False,
    )
    ticket.created_at = now  # the clock's start, written with its deadlines in one INSERT
    sla.sla_refresh(ticket, fired=set())
    with transaction.atomic(savepoint=False):
        ticket.number = _next_number(now)
        ticket.save()
        message = TicketMessage.objects.create(
            ticket=ticket, author=requester, body=body, masked=masked
        )
        _attach(message, checked)
        if unverified_sender_note:
            _internal_note(ticket, unverified_sender_note)
        _event(ticket, requester, TicketEvent.Kind.CREATED, to_value=ticket.status)
        if acknowledge:
            notices.ticket_received(ticket)
    return Opened(ticket, message)


@transaction.atomic
def ticket_reply(
    *,
    actor,
    ticket: Ticket,
    body: str,
    internal: bool = False,
    files: list[UploadedFile] | None = None,
    solve: bool = False,
) -> TicketMessage:
    """A public reply (customer or staff) or an internal note (staff only).

    `solve`: a staff reply that also solves the ticket, in one email to the customer (the
    solved one, quoting the reply), as when one update answers a whole incident."""
    ticket = Ticket.objects.select_for_update().get(id=ticket.id)
    staff = TicketPolicy.can_work(actor, ticket)
    if not staff and not TicketPolicy.is_requester(actor, ticket):
        raise PermissionDenied
    if internal and not staff:
        raise PermissionDenied
    if solve and (internal or not staff):
        raise PermissionDenied
    if solve and not workflow.allowed(ticket.status, Ticket.Status.SOLVED, by_staff=True):
        raise ApplicationError(
            _("A request that is %(current)s cannot become %(target)s.")
            % {"current": ticket.get_status_display(), "target": Ticket.Status.SOLVED.label},
            code="bad_transition",
        )
    if ticket.status == Ticket.Status.CLOSED or (not staff and _reopen_window_passed(ticket)):
        raise ApplicationError(_("This request is closed. Please open a new one."), code="closed")
    body, checked = _clean_body(body), _checked_files(files)
    masked: list[str] = []
    if not staff:  # staff text is never scanned (see _masked)
        (body,), masked = _masked(body)
    visibility = TicketMessage.Visibility.INTERNAL if internal else TicketMessage.Visibility.PUBLIC
    message = TicketMessage.objects.create(
        ticket=ticket,
        author=actor,
        body=body,
        visibility=visibility,
        by_staff=staff,
        masked=masked,
    )
    _attach(message, checked)
    _event(ticket, actor, TicketEvent.Kind.NOTE if internal else TicketEvent.Kind.REPLIED)
    if internal:
        return message
    ticket.save(update_fields=sla.sla_public_message(ticket, by_staff=staff, at=message.created_at))
    if solve:
        _set_status(ticket, actor, Ticket.Status.SOLVED, message=message)
        return message
    if staff and ticket.status in {Ticket.Status.NEW, Ticket.Status.OPEN}:
        _set_status(ticket, actor, Ticket.Status.PENDING)
    elif not staff and ticket.status in {Ticket.Status.PENDING, Ticket.Status.SOLVED}:
        _set_status(ticket, actor, Ticket.Status.OPEN)
    if staff:
        notices.agent_replied(message)
    else:
        notices.customer_replied(message, followers=ticket.followers.filter(is_active=True))
    return message


@transaction.atomic
def ticket_rate(*, actor, ticket: Ticket, rating: int, comment: str = "") -> Ticket:
    """The requester's 1–5 rating once the ticket is solved; rating again replaces it."""
    ticket = Ticket.objects.select_for_update().get(id=ticket.id)
    if not TicketPolicy.is_requester(actor, ticket):
        raise PermissionDenied
    if ticket.status not in {Ticket.Status.SOLVED, Ticket.Status.CLOSED}:
        raise ApplicationError(_("You can rate a request once it is solved."), code="not_solved")
    if rating not in range(1, 6):
        raise ApplicationError(_("Choose a rating from 1 to 5."), code="bad_rating")
    comment = plain_text(comment).strip()
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
        raise ApplicationError(_("Choose an outcome."), code="bad_outcome")
    ticket_reply(actor=actor, ticket=complaint, body=reply)
    complaint.refresh_from_db()
    before, complaint.complaint_outcome = complaint.complaint_outcome, outcome
    complaint.save(update_fields=["complaint_outcome", "updated_at"])
    _event(complaint, actor, TicketEvent.Kind.OUTCOME, before, outcome)
    if complaint.status != Ticket.Status.SOLVED:
        _set_status(complaint, actor, Ticket.Status.SOLVED)
    return complaint
