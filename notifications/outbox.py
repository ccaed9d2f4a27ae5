"""The outbox: rows written in the caller's transaction, sent by Celery after commit.

The state of an email row: pending → sending (claimed by one worker, under a lease) →
sent | failed | skipped; a failed attempt that may pass goes back to pending with a
later `next_attempt_at`. The periodic sweep re-queues rows whose time has come and gone
(their task was lost), and a claim that outlives its lease (a crashed worker).

Once the mail server has accepted an email, nothing may send it again, so the "sent"
that follows is written with care (`_record_sent`): retried, reconnecting, for up to
BOOKKEEPING_SECONDS while PostgreSQL is away; after the first failed try the sender
also records the accept in the cache (Redis), and a later claim of the row (the
sweep's, once the lease has run out) finds that record and marks the row sent instead
of sending it. A duplicate can still come from a worker killed between the accept and
either record, from PostgreSQL and Redis both unreachable for the whole retry time,
and from an accept whose "250" never reached us (README, "Notifications").
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import smtplib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import F, Q
from django.utils import timezone, translation

from core.inserts import insert_unless_taken
from notifications import bell, emails
from notifications.errors import NotificationObsolete, TransientSendError
from notifications.models import Notification
from notifications.preferences import channels_enabled
from notifications.registry import BELL, EMAIL, NotificationKind, kind_get

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

# Six tries within about a quarter of an hour: at most 0, 0.5, 1.5, 3.5, 7.5 and 15.5
# min after the first (the task's backoff: 30 s doubling, jittered down, capped at
# 10 min: far below the Redis broker's one-hour visibility timeout, past which a
# waiting task would be delivered a second time).
MAX_ATTEMPTS = 6
RETRY_BACKOFF = 30
RETRY_BACKOFF_MAX = 600
# A claim older than this belongs to a worker that died. Longer than the send task's
# hard time limit, so a live worker never loses its claim mid-send.
LEASE = timedelta(minutes=5)
# The sweep leaves a row alone this long after it was due, so it does not race the
# task that is about to pick it up.
SWEEP_GRACE = timedelta(minutes=1)
# A re-queued row is looked at again after this, if workers are still behind.
REQUEUE_AFTER = timedelta(minutes=5)
# 500 ids per run: one indexed range read and 500 small publishes, well under a second.
SWEEP_BATCH = 500
# Stored context is ids and plain values; more than this is a body that belongs elsewhere.
CONTEXT_MAX_CHARS = 8_000
_SECRET_WORDS = ("password", "secret", "token", "private_key", "seed", "otp", "totp")
_DEDUPE_KEY_MAX = 180
# The errors of a database that is away (restarting, failing over, the network): they
# pass, so the bookkeeping and the task retry them. Other DatabaseErrors are bugs.
DATABASE_AWAY = (OperationalError, InterfaceError)
# After the mail server accepted an email: how long the sender keeps trying to record
# "sent" in PostgreSQL (each try on a new connection), waiting 0.25 s, doubling, at
# most 2 s between tries. The task passes a deadline that ends it earlier, inside its
# soft time limit. A PostgreSQL restart or a managed failover takes seconds to tens of
# seconds; past this the record in Redis (below) and the sweep take over.
BOOKKEEPING_SECONDS = 30.0
BOOKKEEPING_FIRST_WAIT = 0.25
BOOKKEEPING_MAX_WAIT = 2.0
# The record of an accept that PostgreSQL did not take (key below) lives this long in
# the cache: it must outlast the outage, the lease and the sweep that reads it.
SENT_RECORD_TTL = timedelta(days=7)


def notify(
    *,
    kind: str,
    recipient: User | None = None,
    to_email: str = "",
    context: Mapping[str, Any],
    language: str | None = None,
    dedupe_key: str = "",
    channels: Iterable[str] = (EMAIL,),
) -> list[Notification]:
    """Write one row per channel for one event; the email is sent after the caller commits.

    Call inside the transaction that makes the change, so a rollback leaves no row and
    sends nothing. `context` holds ids and plain values only (never secrets): the kind
    loads the objects when it sends. A channel the recipient turned off gets a
    "skipped" row. `dedupe_key` names the event: the same key for the same recipient
    and channel never makes a second row (the existing row is returned).
    """
    spec = kind_get(kind)
    channels = tuple(dict.fromkeys(channels))
    _check_arguments(spec, recipient, to_email, channels, dedupe_key)
    stored = _checked_context(context)
    language = _language(recipient, language)
    now = timezone.now()
    rows = [
        Notification(
            recipient=recipient,
            to_email=to_email.strip(),
            kind=kind,
            channel=channel,
            language=language,
            context=stored,
            dedupe_key=_row_key(dedupe_key, channel, recipient, to_email),
            next_attempt_at=now,
        )
        for channel in channels
    ]
    for row in rows:
        # Fields only, before any SQL: the recipient's existence, keys and constraints
        # are the database's to check.
        row.full_clean(exclude=["recipient"], validate_unique=False, validate_constraints=False)
    # Atomic, but no savepoint inside the caller's transaction (two statements a call):
    # what the caller may catch (ValueError, ValidationError) is raised above, and a
    # twin row is ON CONFLICT's to skip, not an IntegrityError's.
    with transaction.atomic(savepoint=False):
        enabled = channels_enabled(user=recipient, kind=spec)
        return [_row_write(row, enabled=row.channel in enabled, now=now) for row in rows]


def notification_send(*, notification_id: int, retry_in: int, deadline: float | None = None) -> str:
    """Claim an email row, send it, mark it; safe to run any number of times at once.

    Only the worker holding the claim sends; a second run finds nothing to claim. A
    failure that may pass puts the row back as pending, due in `retry_in` seconds, and
    raises TransientSendError (the task retries); after MAX_ATTEMPTS it is failed. A
    database that is away while claiming raises OperationalError/InterfaceError (the
    task retries those too). `deadline` (a time.monotonic() value) bounds the retries
    of the bookkeeping after the send.
    """
    try:
        row = _claim(notification_id)
    except DATABASE_AWAY:
        _connection_reset()  # the retry, even in this process, starts on a new connection
        raise
    if row is None:
        return "not claimed"
    if row.status == Notification.Status.SENT:  # an earlier attempt's accept, from Redis
        return "sent before"
    try:
        message = emails.email_render(row)
        _deliver(message)
    except NotificationObsolete as exc:
        _record(row, Notification.Status.SKIPPED, str(exc), deadline=deadline)
        return "skipped"
    except (smtplib.SMTPException, OSError, *DATABASE_AWAY, SoftTimeLimitExceeded) as exc:
        if _is_permanent(exc):
            _record(row, Notification.Status.FAILED, _describe(exc), deadline=deadline)
            return "failed"
        return _attempt_failed(row, exc, retry_in, deadline=deadline)
    except Exception as exc:  # a template or context bug: retrying renders the same error
        logger.exception("notification %s (%s) cannot be rendered", row.id, row.kind)
        _record(row, Notification.Status.FAILED, _describe(exc), deadline=deadline)
        return "failed"
    _record_sent(row, deadline=deadline)
    return "sent"


@transaction.atomic
def notifications_requeue_unsent() -> list[int]:
    """Queue again the email rows whose task was lost; returns their ids.

    Lost: still pending a minute after they were due (Redis down at commit, a worker
    killed before it acknowledged), or claimed by a worker whose lease ran out.
    """
    now = timezone.now()
    ids = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(
            status__in=[Notification.Status.PENDING, Notification.Status.SENDING],
            next_attempt_at__lte=now - SWEEP_GRACE,
            channel=Notification.Channel.EMAIL,
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    Notification.objects.filter(id__in=ids).update(next_attempt_at=now + REQUEUE_AFTER)
    for notification_id in ids:
        transaction.on_commit(_enqueue_later(notification_id), robust=True)
    if ids:
        logger.warning("re-queued %d notifications whose task was lost", len(ids))
    return ids


# ---------------------------------------------------------------- writing


def _check_arguments(
    kind: NotificationKind,
    recipient: User | None,
    to_email: str,
    channels: tuple[str, ...],
    dedupe_key: str,
) -> None:
    if recipient is None and not to_email.strip():
        raise ValueError("A notification needs a recipient or a to_email.")
    if not channels or not set(channels) <= kind.channels:
        raise ValueError(f"{kind.name} goes by {sorted(kind.channels)}, not {list(channels)}.")
    if BELL in channels and recipient is None:
        raise ValueError("The bell needs a recipient with an account.")
    if len(dedupe_key) > _DEDUPE_KEY_MAX:
        raise ValueError(f"dedupe_key is longer than {_DEDUPE_KEY_MAX} characters.")


def _checked_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON copy of `context`; model instances, dates and secrets are refused."""
    try:
        text = json.dumps(dict(context), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Notification context must be plain JSON values: {exc}") from None
    if len(text) > CONTEXT_MAX_CHARS:
        raise ValueError("Notification context is too large: store ids, not bodies.")
    stored = json.loads(text)
    for key in _keys(stored):
        if any(word in key.lower() for word in _SECRET_WORDS):
            raise ValueError(f"Notification context must not hold secrets ({key!r}).")
    return stored


def _keys(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def _languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def _language(recipient: User | None, language: str | None) -> str:
    if language is not None:
        if language not in _languages():
            raise ValueError(f"Unknown language {language!r}.")
        return language
    if recipient is not None:
        return recipient.language
    active = translation.get_language()
    return active if active in _languages() else settings.LANGUAGE_CODE


def _row_key(dedupe_key: str, channel: str, recipient: User | None, to_email: str) -> str:
    """The caller's event key made unique per channel and addressee ("" when none)."""
    if not dedupe_key:
        return ""
    if recipient is not None:
        addressee = f"u{recipient.id}"
    else:
        digest = hashlib.sha256(to_email.strip().lower().encode()).hexdigest()[:24]
        addressee = f"e{digest}"
    return f"{dedupe_key}|{channel}|{addressee}"


def _row_write(row: Notification, *, enabled: bool, now: datetime) -> Notification:
    """Insert the row (checked by notify) unless its dedupe key exists; queue or push it
    after commit."""
    if not enabled:
        row.status, row.last_error = Notification.Status.SKIPPED, "turned off by the recipient"
    elif row.channel == BELL:  # the row is the delivery: it is in the bell once committed
        row.status, row.sent_at = Notification.Status.SENT, now
    if not row.dedupe_key:
        row.save()
    elif not _insert_unless_stored(row):  # stored before, or by a concurrent twin
        return Notification.objects.get(dedupe_key=row.dedupe_key)
    if row.status == Notification.Status.PENDING:
        # robust: a broker outage must not fail the caller's committed change; the
        # sweep sends the row a minute later.
        transaction.on_commit(_enqueue_later(row.id), robust=True)
    elif row.channel == BELL and row.status == Notification.Status.SENT:
        bell.bell_push_on_commit(row)
    return row


def _insert_unless_stored(row: Notification) -> bool:
    """True if `row` is stored now (core.inserts): one statement where a look-up, a
    savepoint, the insert and its release were four."""
    return bool(insert_unless_taken([row], key="dedupe_key"))


# Inside emails_queued_together(): the ids of the emails committed so far, to be queued
# when the block ends.
_collected: ContextVar[list[int] | None] = ContextVar("outbox_collected", default=None)


@contextlib.contextmanager
def emails_queued_together() -> Iterator[None]:
    """Emails committed inside the block are queued when it ends, as one send_notifications
    task per notifications.batch.BATCH_SIZE (sent over one SMTP connection), not a task
    each: for writers that commit many transactions in a row (a mailbox poll's "we
    received your request" emails). They wait for the end of the block; if queuing fails
    then (Redis away), they are pending rows the sweep sends a minute later, as when a
    single enqueue fails. Nested blocks are one."""
    if _collected.get() is not None:
        yield
        return
    ids: list[int] = []
    token = _collected.set(ids)
    try:
        yield
    finally:
        _collected.reset(token)
        if ids:
            from notifications.batch import queue_batches

            try:
                queue_batches(ids)
            except Exception:
                logger.exception("could not queue %d emails; the sweep will send them", len(ids))


def _enqueue_later(notification_id: int) -> Callable[[], None]:
    """The on_commit callback. A named function, not a functools.partial: when a robust
    callback fails (Redis down), Django logs its __qualname__, which a partial lacks, and
    the AttributeError would then fail the request that made the change."""

    def enqueue() -> None:
        collected = _collected.get()
        if collected is not None:
            collected.append(notification_id)
            return
        _enqueue(notification_id)

    return enqueue


def _enqueue(notification_id: int, producer: Any = None) -> None:
    from notifications.tasks import send_notification

    # Retry the publish briefly, then give up: the sweep is the safety net.
    send_notification.apply_async(
        (notification_id,),
        retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        producer=producer,
    )


# ---------------------------------------------------------------- sending


def _claim(notification_id: int) -> Notification | None:
    """Take the row for this worker: pending, or sending under a lapsed lease.

    SKIP LOCKED: a worker that finds the row locked by another leaves it to that one.
    The update repeats the condition, so the claim also holds on a database without
    row locks (SQLite, the embedded default), where the select cannot exclude anyone.

    A lapsed claim's worker may have sent the email and then lost the database: when
    it left a record of the accept in the cache, the row is marked sent here and
    returned as sent, and nothing is sent again. When the cache cannot answer, the
    row is not claimed (TransientSendError): better late than twice.
    """
    with transaction.atomic():
        now = timezone.now()
        claimable = Notification.objects.filter(
            Q(status=Notification.Status.PENDING)
            | Q(status=Notification.Status.SENDING, claimed_at__lt=now - LEASE),
            id=notification_id,
            channel=Notification.Channel.EMAIL,
        )
        row = (
            claimable.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .first()
        )
        if row is None:
            return None
        if row.status == Notification.Status.SENDING:
            accepted_at = _accept_recorded(row)
            if accepted_at is not None:
                claimable.update(
                    status=Notification.Status.SENT,
                    sent_at=accepted_at,
                    last_error="",
                    updated_at=now,
                )
                logger.warning(
                    "notification %s: marked sent from the record its attempt %s left in "
                    "the cache when the database was away; not sent again",
                    row.id,
                    row.attempts,
                )
                row.status = Notification.Status.SENT
                return row
        claimed = claimable.update(
            status=Notification.Status.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            next_attempt_at=now + LEASE,
            updated_at=now,
        )
        if not claimed:
            return None
        row.refresh_from_db(fields=["status", "claimed_at", "attempts", "next_attempt_at"])
    return row


def _deliver(message: EmailMessage) -> None:
    """Send one message on a connection of its own. Once the server has accepted it,
    nothing that follows (closing the connection) counts as a failure to send: a retry
    would send it a second time."""
    mail = get_connection()
    mail.open()
    try:
        mail.send_messages([message])
    except BaseException:
        with contextlib.suppress(Exception):
            mail.close()
        raise
    try:
        mail.close()
    except Exception as exc:  # QUIT failed after the accept: the email went
        logger.warning("closing the mail connection after an accept failed: %s", exc)


# ---------------------------------------------------------------- bookkeeping


def _record_sent(row: Notification, *, deadline: float | None) -> None:
    """Record the mail server's accept; never raises (the email went: no retry may
    send it again). On the first database failure the accept is also kept in the cache,
    where a later claim of the row finds it; then the database is retried (`_retried`).
    """
    in_cache: list[bool] = []

    def keep_in_cache() -> None:
        in_cache.append(_accept_record(row))

    try:
        _record(row, Notification.Status.SENT, deadline=deadline, on_first_failure=keep_in_cache)
    except (*DATABASE_AWAY, SoftTimeLimitExceeded) as exc:
        if not in_cache:  # the time limit came before the first failure did
            keep_in_cache()
        if in_cache[0]:
            logger.error(
                "notification %s was accepted by the mail server, but the database stayed "
                "away (%s); the sweep marks it sent from the cache's record once the "
                "lease has run out",
                row.id,
                _describe(exc),
            )


def _record(
    row: Notification,
    status: str,
    error: str = "",
    *,
    deadline: float | None,
    on_first_failure: Callable[[], None] | None = None,
) -> None:
    """Record the outcome (`_finish`), retried while the database is away."""
    _retried(
        lambda: _finish(row, status, error),
        what=f"notification {row.id}: recording {status}",
        deadline=deadline,
        on_first_failure=on_first_failure,
    )


def _retried(
    write: Callable[[], None],
    *,
    what: str,
    deadline: float | None,
    on_first_failure: Callable[[], None] | None = None,
) -> None:
    """Run `write`; while the database is away, again on a new connection, waiting
    0.25 s doubling to 2 s, for BOOKKEEPING_SECONDS or until `deadline` (a
    time.monotonic() value), then raise the last error. `write` must be safe to repeat.
    Inside a caller's transaction a new connection would lose that transaction: no
    retry there."""
    until = time.monotonic() + BOOKKEEPING_SECONDS
    if deadline is not None:
        until = min(until, deadline)
    wait = BOOKKEEPING_FIRST_WAIT
    failures = 0
    while True:
        try:
            write()
            return
        except DATABASE_AWAY as exc:
            failures += 1
            if failures == 1 and on_first_failure is not None:
                on_first_failure()
            _connection_reset()
            if connection.in_atomic_block or time.monotonic() + wait > until:
                raise
            logger.warning("%s failed (%s); trying again in %.2f s", what, _describe(exc), wait)
            time.sleep(wait)
            wait = min(wait * 2, BOOKKEEPING_MAX_WAIT)


def _connection_reset() -> None:
    """Drop a connection the database broke, so the next query connects afresh (Django
    would go on using the broken one). Not inside a transaction: it would be lost."""
    if connection.in_atomic_block:
        return
    with contextlib.suppress(DatabaseError):
        connection.close()


def _finish(row: Notification, status: str, error: str = "") -> None:
    """Record the outcome, if the claim is still this worker's. Safe to repeat: when an
    earlier try was committed but its answer lost with the connection, this one finds
    the row already so."""
    now = timezone.now()
    ours = Notification.objects.filter(id=row.id, claimed_at=row.claimed_at)
    marked = ours.filter(status=Notification.Status.SENDING).update(
        status=status,
        sent_at=now if status == Notification.Status.SENT else None,
        last_error=error[:2000],
        updated_at=now,
    )
    if not marked and not ours.filter(status=status).exists():
        logger.error("notification %s: the claim was lost before it was marked %s", row.id, status)


def _attempt_failed(
    row: Notification, exc: BaseException, retry_in: int, *, deadline: float | None
) -> str:

    if row.attempts >= MAX_ATTEMPTS:
        logger.error("notification %s failed %d times: %s", row.id, row.attempts, exc)
        _record(row, Notification.Status.FAILED, _describe(exc), deadline=deadline)
        return "failed"
    # Nothing was sent: when the database stays away, the row stays claimed and the
    # sweep takes it once the lease has run out.
    _retried(
        lambda: _release(row, exc, retry_in),
        what=f"notification {row.id}: putting it back as pending",
        deadline=deadline,
    )
    raise TransientSendError(_describe(exc)) from exc


def _release(row: Notification, exc: BaseException, retry_in: int) -> None:
    """Back to pending, due after the backoff, if the claim is still this worker's."""
    now = timezone.now()
    Notification.objects.filter(
        id=row.id, status=Notification.Status.SENDING, claimed_at=row.claimed_at
    ).update(
        status=Notification.Status.PENDING,
        claimed_at=None,
        next_attempt_at=now + timedelta(seconds=retry_in),
        last_error=_describe(exc)[:2000],
        updated_at=now,
    )


# ---------------------------------------------------------------- the record in the cache


def _accept_key(row: Notification) -> str:
    """One claim of one row: the attempt number tells claims apart (each claim counts
    one), the creation time rows of another database that reused the id."""
    return f"outbox-sent:{row.id}:{row.attempts}:{row.created_at:%Y%m%dT%H%M%S%f}"


def _accept_record(row: Notification) -> bool:
    """Keep "the mail server accepted this claim's email" in the cache (Redis); False
    when the cache cannot take it either."""
    try:
        cache.set(
            _accept_key(row),
            timezone.now().isoformat(),
            timeout=int(SENT_RECORD_TTL.total_seconds()),
        )
    except Exception as exc:  # any cache backend's error: Redis is away too
        logger.error(
            "notification %s was accepted by the mail server and neither the database "
            "nor the cache can record it (%s): it may be sent twice",
            row.id,
            _describe(exc),
        )
        return False
    return True


def _accept_recorded(row: Notification) -> datetime | None:
    """When the lapsed claim's email was accepted, if its worker recorded it in the cache.
    Raises TransientSendError when the cache cannot answer."""
    try:
        accepted = cache.get(_accept_key(row))
    except Exception as exc:  # any cache backend's error
        raise TransientSendError(
            f"cannot tell whether notification {row.id} was sent before: {_describe(exc)}"
        ) from exc
    return None if accepted is None else datetime.fromisoformat(accepted)


def _is_permanent(exc: BaseException) -> bool:
    """A 5xx answer (no such mailbox, message refused) will not change on a retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _describe(exc: BaseException) -> str:
    """One line (psycopg's messages run over several)."""
    return " ".join(f"{type(exc).__name__}: {exc}".split())
