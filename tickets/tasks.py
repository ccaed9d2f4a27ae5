"""Celery tasks of tickets: the SLA sweep (beat, every 30 seconds), the waiting sweep and
the support mailbox poll (beat, every 60 seconds)."""

from __future__ import annotations

import logging
import time
from dataclasses import fields
from typing import TYPE_CHECKING

from celery import shared_task
from django.core.cache import cache

if TYPE_CHECKING:
    from tickets.mail.imap import PollResult

logger = logging.getLogger(__name__)

SWEEP_BATCHES = 20  # at most 20 × 200 tickets per run; the next run takes the rest


@shared_task(acks_late=True, time_limit=25, soft_time_limit=20, ignore_result=True)
def sla_sweep() -> int:
    """Escalate the tickets whose SLA step is due; safe to run on several workers at once.

    The time limit stays under the 30-second beat interval, so runs do not pile up.
    """
    from tickets.sla.sweep import sla_sweep as sweep

    steps = 0
    for _batch in range(SWEEP_BATCHES):
        result = sweep()
        steps += len(result.steps)
        if result.tickets == 0:
            break
    return steps


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280, ignore_result=True)
def waiting_sweep() -> tuple[int, int]:
    """Remind customers who owe an answer for 3 days; solve their tickets after 7."""
    from tickets.waiting import waiting_sweep as sweep

    return sweep()


MAIL_POLL_LOCK = "tickets:mail_poll:lock"
# Outlives the hard time limit, so the lock never lapses while a poll still runs; if a
# worker dies without releasing it, polling resumes after this long.
MAIL_POLL_LOCK_TIMEOUT = 180
# Batches per run: another while the last one was full and this much time is left, so a
# busy mailbox drains at the pipeline's speed, not 50 messages a minute.
MAIL_POLL_BATCH = 50
MAIL_POLL_BUDGET_SECONDS = 45


# Each IMAP command may take 30 s (SOCKET_TIMEOUT) before it gives up, so a poll of a slow
# server can outlast the 60-second beat interval: the lock, not the limit, keeps polls
# from overlapping, and the limits only stop one that hangs.
@shared_task(acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def mail_poll() -> PollResult | None:
    """Ingest the support mailbox's unseen mail; one poll at a time across all workers.

    Returns None when another poll holds the lock or the mailbox cannot be reached; the
    next beat run (60 s later) is the retry, so no Celery retry piles up behind it.
    """
    from tickets.mail.imap import MailboxUnavailable, mailbox_poll

    if not cache.add(MAIL_POLL_LOCK, 1, MAIL_POLL_LOCK_TIMEOUT):
        return None
    try:
        return _poll_while_full(mailbox_poll)
    except MailboxUnavailable as exc:
        logger.error("Support mailbox poll failed; retrying on the next run: %s", exc)
        return None
    finally:
        # Safe to delete: the lock cannot have lapsed and been taken by another worker
        # while this run was still inside its time limit.
        cache.delete(MAIL_POLL_LOCK)


def _poll_while_full(poll) -> PollResult:
    """Poll batch after batch while they come back full and the budget lasts."""
    from tickets.mail.imap import PollResult

    started, total = time.monotonic(), PollResult()
    while True:
        result = poll(batch=MAIL_POLL_BATCH)
        total = PollResult(
            **{f.name: getattr(total, f.name) + getattr(result, f.name) for f in fields(total)}
        )
        # A failed message stays unseen: polling again now would only fetch it again.
        more = result.fetched >= MAIL_POLL_BATCH and not result.failed
        if not more or time.monotonic() - started > MAIL_POLL_BUDGET_SECONDS:
            return total
