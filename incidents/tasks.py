from __future__ import annotations

from celery import shared_task

from incidents import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def deliver_updates(incident_id: int) -> int:
    """Bring every linked customer up to date (safe to run twice: see services.deliver)."""
    return services.deliver(incident_id=incident_id)


@shared_task
def deliver_pending() -> int:
    """The safety net (beat): incidents whose updates a lost task did not bring to every
    linked customer."""
    from django.db.models import F

    from incidents.models import IncidentLink

    pending = (
        IncidentLink.objects.filter(
            state=IncidentLink.State.LINKED, heard__lt=F("incident__last_update")
        )
        .values_list("incident_id", flat=True)
        .distinct()
    )
    return sum(services.deliver(incident_id=incident_id) for incident_id in list(pending))
