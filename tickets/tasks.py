"""Celery tasks of tickets: the SLA sweep (beat, every 30 seconds)."""

from __future__ import annotations

from celery import shared_task

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
