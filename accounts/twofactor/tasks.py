"""The periodic completion of approved 2FA resets (beat: every 5 minutes, see settings).

Registered under the name accounts.tasks.mfa_resets_complete: accounts/tasks.py imports it.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(
    name="accounts.tasks.mfa_resets_complete",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=100,
    time_limit=120,
)
def mfa_resets_complete() -> int:
    """Remove 2FA where an approved reset's cool-down has passed; safe to run twice."""
    from accounts.twofactor.services import mfa_resets_complete as complete

    return complete()
