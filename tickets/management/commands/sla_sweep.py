"""Run the SLA escalation sweep once, e.g. from cron where Celery beat does not run."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tickets.sla.sweep import sla_sweep


class Command(BaseCommand):
    help = "Take every SLA warning and breach step that is due (once each), then exit."

    def handle(self, *args: object, **options: object) -> None:
        tickets = steps = 0
        while (result := sla_sweep()).tickets:
            tickets += result.tickets
            steps += len(result.steps)
        self.stdout.write(f"{tickets} tickets checked, {steps} SLA steps taken")
