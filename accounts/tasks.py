"""Celery tasks of accounts: thin, id-based, safe to run twice (the service claims rows)."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from accounts.twofactor.tasks import mfa_resets_complete  # noqa: F401  (registers it; beat)


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_backoff_max=600,  # far below the broker's visibility timeout
    retry_jitter=True,
    max_retries=5,  # then the sweep (every minute) takes over
    soft_time_limit=50,
    time_limit=60,
)
def complete_effect(effect_id: int) -> str:
    """Send one recorded account signal (a freeze's security ticket...) and mark it done;
    a second run, or a race with another worker or the sweep, does nothing."""
    from accounts.effects import effect_complete

    return effect_complete(effect_id=effect_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=50, time_limit=60)
def complete_due_effects() -> int:
    """Periodic: complete the account effects whose task was lost or failed (every
    minute, see beat)."""
    from accounts.effects import effects_sweep

    return effects_sweep()
