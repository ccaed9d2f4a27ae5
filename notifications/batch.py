"""Sending email rows in batches: one claim, one SMTP connection, one mark.

`notification_send` (outbox.py) takes one row per task: a claim transaction, a bounce
look-up, two renders, a new SMTP connection (EHLO, MAIL, RCPT, DATA, QUIT) and a mark:
about 75 emails a second per worker process. For writers that queue many emails at once
(notify_many: the SLA sweep, bulk changes), `notifications_send_batch` does the same for
up to BATCH_SIZE rows:

- claims the pending ones with `SELECT … FOR UPDATE SKIP LOCKED` and one `UPDATE` (a
  row another worker holds is left to it; nothing is claimed twice);
- reads the bounce list once for the batch, and the rows the contexts name (tickets,
  messages) with one query per kind of look-up (notifications.contexts.preloaded), then
  renders each row (its own language, time zone and anti-phishing code: the layout and
  the words are per recipient, so nothing rendered is shared between rows);
- sends every message over one SMTP connection (reconnecting once if it drops);
- marks the accepted ones sent in one `UPDATE`, and the others skipped, failed or back
  to pending in one `UPDATE` per outcome.

The rules are notification_send's: a row is sent only by the worker holding its claim;
once the mail server has accepted an email nothing sends it again (the "sent" is
retried while PostgreSQL is away, and kept in the cache after the first failure, where a
later claim finds it). A claim whose lease ran out (its worker died) is not taken here
but by notification_send, which looks for that record first. A worker killed between an
accept and the mark may send the emails of one batch again once their lease has run out,
where the one-row path could send one: that is what one mark per batch costs.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import smtplib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications import contexts, emails, outbox
from notifications.errors import NotificationObsolete
from notifications.models import BouncingAddress, Notification
from notifications.registry import kind_get

logger = logging.getLogger(__name__)

# Rows per batch: a task's worth (its soft time limit is 45 s; a local relay takes a
# few milliseconds an email), and few enough that a worker killed before its mark
# sends little twice.
BATCH_SIZE = 100
S = Notification.Status
# A connection that drops mid-batch: the rest of the batch gets this many more tries on
# a new one before it goes back to pending.
RECONNECTS = 1


def queue_batches(ids: list[int]) -> None:
    """One send_notifications task per BATCH_SIZE of these emails, sent over one SMTP
    connection each, not a task, a connection and a claim per email; one producer for
    the lot."""
    from notifications.tasks import send_notifications

    with send_notifications.app.producer_or_acquire() as producer:
        for start in range(0, len(ids), BATCH_SIZE):
            send_notifications.apply_async(
                (ids[start : start + BATCH_SIZE],),
                retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
                producer=producer,
            )


@dataclass
class BatchResult:
    """What happened to the ids asked for (a row not claimed is another worker's, or done)."""

    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)  # back to pending, due after the backoff
    not_claimed: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "sent": len(self.sent),
            "skipped": len(self.skipped),
            "failed": len(self.failed),
            "retry": len(self.retry),
            "not claimed": self.not_claimed,
        }


def notifications_send_batch(
    *, ids: Sequence[int], retry_in: int, deadline: float | None = None
) -> BatchResult:
    """Claim, render, send and mark the pending email rows among `ids` (at most
    BATCH_SIZE); safe to run any number of times at once, like notification_send."""
    ids = list(dict.fromkeys(ids))[:BATCH_SIZE]
    result = BatchResult()
    try:
        rows = _claim_many(ids)
    except outbox.DATABASE_AWAY:
        outbox._connection_reset()
        raise
    result.not_claimed = len(ids) - len(rows)
    if not rows:
        return result
    ready: list[tuple[Notification, EmailMessage]] = []
    errors: dict[int, str] = {}
    bouncing = _bouncing(rows)
    # The rows the kinds' contexts name (tickets, messages) are read for the whole batch.
    with contexts.preloaded(functools.partial(_build_context, row) for row in rows):
        for row in rows:
            try:
                ready.append((row, emails.email_render(row, bouncing=bouncing)))
            except NotificationObsolete as exc:
                result.skipped.append(row.id)
                errors[row.id] = str(exc)
            except Exception as exc:  # a template or context bug: retrying renders the same
                logger.exception("notification %s (%s) cannot be rendered", row.id, row.kind)
                result.failed.append(row.id)
                errors[row.id] = outbox._describe(exc)
    transient: dict[int, BaseException] = {}
    accepted = _deliver_many(ready, result, errors, transient)
    result.sent = accepted
    by_id = {row.id: row for row in rows}
    for row_id, exc in transient.items():
        if by_id[row_id].attempts >= outbox.MAX_ATTEMPTS:
            logger.error("notification %s failed %d times: %s", row_id, outbox.MAX_ATTEMPTS, exc)
            result.failed.append(row_id)
        else:
            result.retry.append(row_id)
    claimed_at = rows[0].claimed_at
    _record_sent_many([by_id[i] for i in accepted], claimed_at, deadline=deadline)
    for status, chosen in ((S.SKIPPED, result.skipped), (S.FAILED, result.failed)):
        if chosen:
            outbox._retried(
                lambda status=status, chosen=chosen: _finish_many(
                    chosen, claimed_at, status, errors
                ),
                what=f"{len(chosen)} notifications: recording {status}",
                deadline=deadline,
            )
    if result.retry:
        outbox._retried(
            lambda: _release_many(result.retry, claimed_at, transient, retry_in),
            what=f"{len(result.retry)} notifications: putting them back as pending",
            deadline=deadline,
        )
    return result


# ---------------------------------------------------------------- claiming


def _claim_many(ids: list[int]) -> list[Notification]:
    """Take the pending email rows among `ids` for this worker, in two statements.

    SKIP LOCKED: rows another worker is claiming are left to it. The update repeats the
    condition, so on a database without row locks (SQLite) a row claimed meanwhile is
    not taken twice; there the rows are read again by this claim's moment.
    """
    if not ids:
        return []
    with transaction.atomic():
        now = timezone.now()
        pending = Notification.objects.filter(
            id__in=ids, status=S.PENDING, channel=Notification.Channel.EMAIL
        )
        rows = list(
            pending.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .order_by("id")
        )
        if not rows:
            return []
        claimed = pending.filter(id__in=[row.id for row in rows]).update(
            status=S.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            next_attempt_at=now + outbox.LEASE,
            updated_at=now,
        )
        if claimed != len(rows):  # no row locks here: keep the rows this claim took
            rows = list(
                Notification.objects.filter(
                    id__in=[row.id for row in rows], status=S.SENDING, claimed_at=now
                ).select_related("recipient")
            )
            return rows
        for row in rows:
            row.status, row.claimed_at, row.attempts = S.SENDING, now, row.attempts + 1
            row.next_attempt_at, row.updated_at = now + outbox.LEASE, now
    return rows


def _build_context(row: Notification) -> object:
    return kind_get(row.kind).build_context(row.context)


def _bouncing(rows: list[Notification]) -> set[str]:
    """The batch's addresses that bounce, in one query."""
    addresses = {emails.address_of(row).lower() for row in rows} - {""}
    return set(BouncingAddress.objects.filter(email__in=addresses).values_list("email", flat=True))


# ---------------------------------------------------------------- sending


def _deliver_many(
    ready: list[tuple[Notification, EmailMessage]],
    result: BatchResult,
    errors: dict[int, str],
    transient: dict[int, BaseException],
) -> list[int]:
    """Send each message over one connection; returns the ids the server accepted.

    A 5xx for one message fails that row only (the server resets the transaction and the
    connection goes on). A connection that drops, or a 4xx, leaves the row for a retry;
    after a drop the rest are tried on a new connection, RECONNECTS times.
    """
    accepted: list[int] = []
    if not ready:
        return accepted
    mail = None
    reconnects = RECONNECTS
    for row, message in ready:
        opened = mail is not None
        try:
            if mail is None:
                mail = get_connection()
                mail.open()
                opened = True
            mail.send_messages([message])
        except (OSError, SoftTimeLimitExceeded) as exc:  # smtplib's errors are OSErrors
            broken = not opened or _connection_lost(exc)
            if _is_permanent(exc) and not broken:
                result.failed.append(row.id)
                errors[row.id] = outbox._describe(exc)
                continue
            transient[row.id] = exc
            errors[row.id] = outbox._describe(exc)
            if not broken:
                continue  # a 4xx answer to this message: the connection goes on
            if mail is not None:
                with contextlib.suppress(Exception):
                    mail.close()
            mail = None
            if isinstance(exc, SoftTimeLimitExceeded) or reconnects <= 0:
                _leave_the_rest(ready, row, exc, transient, errors)
                break
            reconnects -= 1
            continue
        accepted.append(row.id)
    if mail is not None:
        try:
            mail.close()
        except Exception as exc:  # QUIT failed after the accepts: the emails went
            logger.warning("closing the mail connection after a batch failed: %s", exc)
    return accepted


def _connection_lost(exc: BaseException) -> bool:
    """Whether the connection is gone (a refused message or 4xx answer leaves it usable:
    smtplib resets the transaction)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | SoftTimeLimitExceeded):
        return True
    return not isinstance(
        exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused | smtplib.SMTPDataError
    )


def _is_permanent(exc: BaseException) -> bool:
    return not isinstance(exc, SoftTimeLimitExceeded) and outbox._is_permanent(exc)


def _leave_the_rest(ready, failed_row, exc, transient, errors) -> None:
    """After the connection is lost for good, the rows not tried yet go back for a retry."""
    seen = False
    for row, _message in ready:
        if seen:
            transient[row.id] = exc
            errors[row.id] = outbox._describe(exc)
        seen = seen or row is failed_row


# ---------------------------------------------------------------- bookkeeping


def _record_sent_many(rows: list[Notification], claimed_at, *, deadline: float | None) -> None:
    """Mark the accepted rows sent in one UPDATE; never raises (the emails went). On the
    first database failure every accept is also kept in the cache (`outbox._accept_record`),
    where a later claim of the row finds it."""
    if not rows:
        return
    in_cache: list[bool] = []

    def keep_in_cache() -> None:
        in_cache.append(all([outbox._accept_record(row) for row in rows]))

    ids = [row.id for row in rows]
    try:
        outbox._retried(
            lambda: _finish_many(ids, claimed_at, S.SENT, {}),
            what=f"{len(ids)} notifications: recording sent",
            deadline=deadline,
            on_first_failure=keep_in_cache,
        )
    except (*outbox.DATABASE_AWAY, SoftTimeLimitExceeded) as exc:
        if not in_cache:
            keep_in_cache()
        logger.error(
            "%d notifications were accepted by the mail server, but the database stayed "
            "away (%s); the sweep marks them sent from the cache's records once the lease "
            "has run out",
            len(ids),
            outbox._describe(exc),
        )


def _finish_many(ids: list[int], claimed_at, status: str, errors: dict[int, str]) -> None:
    """Record one outcome for many rows, if their claim is still this worker's; one
    UPDATE per distinct error text (one in all for "sent"). Safe to repeat."""
    now = timezone.now()
    by_error: dict[str, list[int]] = {}
    for row_id in ids:
        by_error.setdefault(errors.get(row_id, "")[:2000], []).append(row_id)
    marked = 0
    for error, chosen in by_error.items():
        marked += Notification.objects.filter(
            id__in=chosen, status=S.SENDING, claimed_at=claimed_at
        ).update(
            status=status,
            sent_at=now if status == S.SENT else None,
            last_error=error,
            updated_at=now,
        )
    if marked < len(ids):
        done = Notification.objects.filter(id__in=ids, status=status).count()
        if done < len(ids):
            logger.error(
                "%d notifications: the claim was lost before they were marked %s",
                len(ids) - done,
                status,
            )


def _release_many(
    ids: list[int], claimed_at, transient: dict[int, BaseException], retry_in: int
) -> None:
    """Back to pending, due after the backoff, if the claim is still this worker's."""
    now = timezone.now()
    reasons = Counter(outbox._describe(transient[row_id])[:2000] for row_id in ids)
    for reason in reasons:
        chosen = [i for i in ids if outbox._describe(transient[i])[:2000] == reason]
        Notification.objects.filter(id__in=chosen, status=S.SENDING, claimed_at=claimed_at).update(
            status=S.PENDING,
            claimed_at=None,
            next_attempt_at=now + timedelta(seconds=retry_in),
            last_error=reason,
            updated_at=now,
        )
