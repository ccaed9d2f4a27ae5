"""Sending replies to the platforms. Thin and idempotent: the services claim each row."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True, time_limit=120, soft_time_limit=100)
def outbox_flush(contact_id: int) -> int:
    """Send a contact's waiting replies, in order (queued after the commit that wrote them)."""
    from outside import services

    return services.outbox_flush(contact_id=contact_id)


@shared_task(ignore_result=True, time_limit=300, soft_time_limit=280)
def outbox_sweep() -> int:
    """Every 30 s: what a lost task or a platform outage left unsent."""
    from outside import services

    return services.outbox_sweep()


@shared_task(ignore_result=True, time_limit=120, soft_time_limit=100)
def contacts_keep_present() -> int:
    from outside import services

    return services.contacts_keep_present()
