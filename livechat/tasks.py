"""Celery tasks of livechat: the grace-period sweep (beat, every 30 seconds)."""

from __future__ import annotations

from celery import shared_task

SWEEP_BATCHES = 20  # at most 20 × 100 agents per run; the next run takes the rest


@shared_task(acks_late=True, time_limit=25, soft_time_limit=20, ignore_result=True)
def requeue_abandoned() -> int:
    """Chats of agents gone longer than the grace period back to the queue (agents whose
    sockets stopped beating counting as gone), and anonymous visitors who left the queue
    ended.

    Idempotent and safe on several workers (SKIP LOCKED); the time limit stays under
    the 30-second beat interval, so runs do not pile up.
    """
    from livechat.services.conversations import conversations_end_abandoned
    from livechat.services.presence import REQUEUE_BATCH, presence_expire
    from livechat.services.presence import requeue_abandoned as sweep

    # First, agents whose server process died with their sockets open (no heartbeat),
    # and anonymous visitors who left the queue by closing the tab.
    presence_expire()
    conversations_end_abandoned()
    total = 0
    for _batch in range(SWEEP_BATCHES):
        agents, chats = sweep(batch=REQUEUE_BATCH)
        total += chats
        if agents < REQUEUE_BATCH:
            break
    return total
