"""The outbox: rows written in the caller's transaction, sent by Celery after commit.

The state of an email row: pending → sending (claimed by one worker, under a lease) →
sent | failed | skipped; a failed attempt that may pass goes back to pending with a
later `next_attempt_at`. The periodic sweep re-queues rows whose time has come and gone
(their task was lost), and a claim that outlives its lease (a crashed worker).
"""

from __future__ import annotations

import hashlib
import json
import logging
import smtplib
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from accounts.models import Notification, User
from accounts.notifications import bell, emails
from accounts.notifications.errors import NotificationObsolete, TransientSendError
from accounts.notifications.preferences import channels_enabled
from accounts.notifications.registry import BELL, EMAIL, NotificationKind, kind_get

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


@transaction.atomic
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
    enabled = channels_enabled(user=recipient, kind=spec)
    return [
        _row_write(
            Notification(
                recipient=recipient,
                to_email=to_email.strip(),
                kind=kind,
                channel=channel,
                language=language,
                context=stored,
                dedupe_key=_row_key(dedupe_key, channel, recipient, to_email),
            ),
            enabled=channel in enabled,
        )
        for channel in channels
    ]


def notification_send(*, notification_id: int, retry_in: int) -> str:
    """Claim an email row, send it, mark it; safe to run any number of times at once.

    Only the worker holding the claim sends; a second run finds nothing to claim. A
    failure that may pass puts the row back as pending, due in `retry_in` seconds, and
    raises TransientSendError (the task retries); after MAX_ATTEMPTS it is failed.
    """
    row = _claim(notification_id)
    if row is None:
        return "not claimed"
    try:
        message = emails.email_render(row)
        message.send()
    except NotificationObsolete as exc:
        _finish(row, Notification.Status.SKIPPED, str(exc))
        return "skipped"
    except (smtplib.SMTPException, OSError, OperationalError, SoftTimeLimitExceeded) as exc:
        if _is_permanent(exc):
            _finish(row, Notification.Status.FAILED, _describe(exc))
            return "failed"
        return _attempt_failed(row, exc, retry_in)
    except Exception as exc:  # a template or context bug: retrying renders the same error
        logger.exception("notification %s (%s) cannot be rendered", row.id, row.kind)
        _finish(row, Notification.Status.FAILED, _describe(exc))
        return "failed"
    _finish(row, Notification.Status.SENT)
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


def _language(recipient: User | None, language: str | None) -> str:
    if language is not None:
        if language not in User.Language.values:
            raise ValueError(f"Unknown language {language!r}.")
        return language
    if recipient is not None:
        return recipient.language
    active = translation.get_language()
    return active if active in User.Language.values else settings.LANGUAGE_CODE


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


def _row_write(row: Notification, *, enabled: bool) -> Notification:
    """Insert the row unless its dedupe key exists; queue or push it after commit."""
    if row.dedupe_key:
        existing = Notification.objects.filter(dedupe_key=row.dedupe_key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    row.next_attempt_at = now
    if not enabled:
        row.status, row.last_error = Notification.Status.SKIPPED, "turned off by the recipient"
    elif row.channel == BELL:  # the row is the delivery: it is in the bell once committed
        row.status, row.sent_at = Notification.Status.SENT, now
    row.full_clean(validate_unique=False, validate_constraints=False)  # the database checks
    try:
        with transaction.atomic():  # a savepoint: a lost race must not break the caller
            row.save()
    except IntegrityError:
        if not row.dedupe_key:
            raise
        return Notification.objects.get(dedupe_key=row.dedupe_key)  # a concurrent twin won
    if row.status == Notification.Status.PENDING:
        # robust: a broker outage must not fail the caller's committed change; the
        # sweep sends the row a minute later.
        transaction.on_commit(_enqueue_later(row.id), robust=True)
    elif row.channel == BELL and row.status == Notification.Status.SENT:
        bell.bell_push_on_commit(row)
    return row


def _enqueue_later(notification_id: int) -> Callable[[], None]:
    """The on_commit callback. A named function, not a functools.partial: when a robust
    callback fails (Redis down), Django logs its __qualname__, which a partial lacks, and
    the AttributeError would then fail the request that made the change."""

    def enqueue() -> None:
        _enqueue(notification_id)

    return enqueue


def _enqueue(notification_id: int, producer: Any = None) -> None:
    from accounts.tasks import send_notification

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


def _finish(row: Notification, status: str, error: str = "") -> None:
    """Record the outcome, if the claim is still this worker's."""
    now = timezone.now()
    marked = Notification.objects.filter(
        id=row.id, status=Notification.Status.SENDING, claimed_at=row.claimed_at
    ).update(
        status=status,
        sent_at=now if status == Notification.Status.SENT else None,
        last_error=error[:2000],
        updated_at=now,
    )
    if not marked:
        logger.error("notification %s: the claim was lost before it was marked %s", row.id, status)


def _attempt_failed(row: Notification, exc: BaseException, retry_in: int) -> str:
    if row.attempts >= MAX_ATTEMPTS:
        logger.error("notification %s failed %d times: %s", row.id, row.attempts, exc)
        _finish(row, Notification.Status.FAILED, _describe(exc))
        return "failed"
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
    raise TransientSendError(_describe(exc)) from exc


def _is_permanent(exc: BaseException) -> bool:
    """A 5xx answer (no such mailbox, message refused) will not change on a retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
