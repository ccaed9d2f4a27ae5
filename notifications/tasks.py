"""Celery tasks of the notification outbox: thin, id-based, safe to run twice (the
outbox claims rows)."""

from __future__ import annotations

import time

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from notifications.errors import TransientSendError
from notifications.outbox import (
    DATABASE_AWAY,
    MAX_ATTEMPTS,
    RETRY_BACKOFF,
    RETRY_BACKOFF_MAX,
)

# The send task's soft time limit; the bookkeeping after a send ends this long before it.
SEND_SOFT_TIME_LIMIT = 45
SEND_DEADLINE_MARGIN = 5


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    # A mail server that failed in a way that may pass, or a database that is away
    # (restarting, failing over) while the row is claimed: retried with the same backoff.
    autoretry_for=(TransientSendError, *DATABASE_AWAY),
    retry_backoff=RETRY_BACKOFF,
    retry_backoff_max=RETRY_BACKOFF_MAX,  # far below the broker's visibility timeout
    retry_jitter=True,  # spreads the retries of many rows after a mail-server outage
    max_retries=MAX_ATTEMPTS - 1,  # then the sweep (every minute) takes over
    # The SMTP timeout is 10 s; the outbox lease (5 min) must stay above the hard limit.
    soft_time_limit=SEND_SOFT_TIME_LIMIT,
    time_limit=60,
)
def send_notification(self, notification_id: int) -> str:
    """Send one outbox row; a second run, or a race with another worker, sends nothing."""
    from notifications.outbox import notification_send

    # The bookkeeping after the send may retry a database that is away, but must be
    # over before the soft time limit, with SEND_DEADLINE_MARGIN s to spare.
    deadline = time.monotonic() + SEND_SOFT_TIME_LIMIT - SEND_DEADLINE_MARGIN
    # The longest wait autoretry may choose for this attempt (jitter only shortens it):
    # the row is due again then, and the sweep steps in if no retry came.
    retry_in = get_exponential_backoff_interval(
        factor=RETRY_BACKOFF, retries=self.request.retries, maximum=RETRY_BACKOFF_MAX
    )
    return notification_send(notification_id=notification_id, retry_in=retry_in, deadline=deadline)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=50, time_limit=60)
def resend_unsent() -> int:
    """Periodic: re-queue outbox rows whose task was lost (every minute, see beat)."""
    from notifications.outbox import notifications_requeue_unsent

    return len(notifications_requeue_unsent())


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(TransientSendError, *DATABASE_AWAY),
    retry_backoff=RETRY_BACKOFF,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=MAX_ATTEMPTS - 1,
    soft_time_limit=SEND_SOFT_TIME_LIMIT,
    time_limit=60,
)
def send_notifications(self, notification_ids: list[int]) -> dict[str, int]:
    """Send up to notifications.batch.BATCH_SIZE outbox rows over one SMTP connection (the
    writers of many emails at once queue these); a row that may pass on a retry is back
    to pending and the task retries (only those rows are still claimable)."""
    from notifications.batch import notifications_send_batch

    deadline = time.monotonic() + SEND_SOFT_TIME_LIMIT - SEND_DEADLINE_MARGIN
    retry_in = get_exponential_backoff_interval(
        factor=RETRY_BACKOFF, retries=self.request.retries, maximum=RETRY_BACKOFF_MAX
    )
    result = notifications_send_batch(ids=notification_ids, retry_in=retry_in, deadline=deadline)
    if result.retry:
        raise TransientSendError(f"{len(result.retry)} of the batch will be tried again")
    return result.counts()
