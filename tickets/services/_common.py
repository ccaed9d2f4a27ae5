"""Helpers every ticket service shares: numbering, events, attachments, status changes,
masking what customers type."""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.text import plain_text
from tickets import attachments, groups, notices, workflow
from tickets.models import (
    Ticket,
    TicketAttachment,
    TicketDaySequence,
    TicketEvent,
    TicketMessage,
)
from tickets.sensitive import guard as sensitive
from tickets.sla import service as sla

logger = logging.getLogger(__name__)


MAX_BODY = 20_000


def _clean_body(body: str) -> str:
    """Plain text only: stored as typed, escaped wherever it is shown.

    Minus NULs and bidirectional controls (core.text.plain_text), removed here on the way
    in rather than on each way out: pages, API, sockets, emails, CSV and transcripts would
    each have to remember, and an override can make a link or an address read backwards.
    """
    body = plain_text(body).strip()
    if not body:
        raise ApplicationError(_("Write a message."), code="empty")
    if len(body) > MAX_BODY:
        raise ApplicationError(
            _("Messages are limited to %(n)d characters.") % {"n": MAX_BODY}, code="too_long"
        )
    return body


def _masked(*texts: str) -> tuple[list[str], list[str]]:
    """Customer-written texts with any seed phrase, private key or password masked, and
    the kinds found in any of them.

    Only for what customers write: agents never ask for secrets, and masking their text
    would hide legitimate content such as an example address.
    """
    scans = [sensitive.scan(text) for text in texts]
    found = sensitive.kinds_in_order(kind for scan in scans for kind in scan.found)
    return [scan.body for scan in scans], found


def _next_number(now: dt.datetime) -> str:
    """`YYMMDD-NNNNNN`: easy to read out on the phone. Must run inside a transaction."""
    day = now.date()
    # One statement (it was a get_or_create, a locking read and an update): the upsert
    # takes the day's row lock as the update did, so numbering stays serialised until
    # the caller commits. PostgreSQL and SQLite (3.35+) both take ON CONFLICT … RETURNING.
    quote = connection.ops.quote_name
    table, day_col, last_col = quote(TicketDaySequence._meta.db_table), quote("day"), quote("last")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({day_col}, {last_col}) VALUES (%s, 1) ON CONFLICT ({day_col}) "
            f"DO UPDATE SET {last_col} = {table}.{last_col} + 1 RETURNING {last_col}",
            [day],
        )
        (last,) = cursor.fetchone()
    return f"{day:%y%m%d}-{last:06d}"


def _internal_note(ticket: Ticket, body: str) -> TicketMessage:
    """A note from Beacon itself (no author) that only staff see."""
    return TicketMessage.objects.create(
        ticket=ticket,
        author=None,
        body=body,
        by_staff=True,
        visibility=TicketMessage.Visibility.INTERNAL,
    )


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
    groups.queues_changed_on_commit()  # every recorded change may move queue counts


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


def _reopen_window_passed(ticket: Ticket) -> bool:
    """A solved request older than the reopen window takes no more customer replies."""
    limit = dt.timedelta(days=workflow.REOPEN_DAYS)
    return (
        ticket.status == Ticket.Status.SOLVED
        and ticket.solved_at is not None
        and (timezone.now() - ticket.solved_at > limit)
    )


def _set_status(ticket: Ticket, actor, target: str, *, message=None) -> None:
    """`message`: a staff reply that solves the ticket; its email is the solved one."""
    before = ticket.status
    ticket.status = target
    ticket.solved_at = timezone.now() if target == Ticket.Status.SOLVED else ticket.solved_at
    if target == Ticket.Status.OPEN:
        ticket.solved_at = None
    clock_fields = sla.sla_status_changed(ticket, before=before, now=timezone.now())
    ticket.save(update_fields=["status", "solved_at", "updated_at", *clock_fields])
    if target == Ticket.Status.SOLVED:
        notices.solved(ticket, automatic=actor is None, message=message)
    _event(ticket, actor, TicketEvent.Kind.STATUS, before, target)


# A ticket number as typed: YYMMDD-NNNNNN.
_NUMBER = re.compile(r"^[0-9]{6}-[0-9]{6}$")
