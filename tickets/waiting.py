"""Tickets waiting on the customer: a reminder after three days, solved after seven.

Run by Celery beat (`tickets.tasks.waiting_sweep`). Each reminder's outbox row has a key
of its own (the ticket and the moment it started waiting), so running this any number of
times reminds once per wait.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tickets import notices, services
from tickets.models import Ticket

BATCH = 500


def waiting_sweep(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """(reminded, solved) in this run."""
    now = now or timezone.now()
    remind_from = now - dt.timedelta(days=notices.REMIND_AFTER_DAYS)
    solve_from = now - dt.timedelta(days=notices.SOLVE_AFTER_DAYS)
    pending = Ticket.objects.filter(status=Ticket.Status.PENDING).select_related("requester")
    reminded = 0
    for ticket in pending.filter(sla_paused_at__lte=remind_from, sla_paused_at__gt=solve_from)[
        :BATCH
    ]:
        with transaction.atomic():
            notices.pending_reminder(ticket)
        reminded += 1
    solved = 0
    for ticket_id in pending.filter(sla_paused_at__lte=solve_from).values_list("id", flat=True)[
        :BATCH
    ]:
        solved += services.ticket_auto_solve(ticket_id=ticket_id, waited_since=solve_from)
    return reminded, solved
