"""Ingest one email from standard input: `manage.py ingest_email < message.eml`.

For delivery by an MTA pipe (Postfix `pipe`, Exim `pipe` transport, procmail). Exit
codes follow sysexits.h, which MTAs understand: 0 stored (or already stored), 65 the
input is not a message (the MTA bounces it), 75 try again later (the MTA keeps it).
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from core.exceptions import ApplicationError
from tickets.mail.intake import email_ingest
from tickets.models import InboundEmail

EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one raw RFC 822 message from stdin and turn it into a ticket or a reply."

    def handle(self, *args: object, **options: object) -> None:
        raw = sys.stdin.buffer.read(settings.BEACON_INBOUND_MAIL_MAX_BYTES + 1)
        try:
            intake = email_ingest(raw, source=InboundEmail.Source.PIPE)
        except ApplicationError as exc:
            self.stderr.write(f"ingest_email: {exc.message}")
            raise SystemExit(EX_DATAERR) from None
        except DatabaseError as exc:
            self.stderr.write(f"ingest_email: database unavailable, try later ({exc})")
            raise SystemExit(EX_TEMPFAIL) from None
        inbound = intake.inbound
        state = "stored" if intake.created else "already stored"
        ticket = f" ticket {inbound.ticket.number}" if inbound.ticket_id else ""
        self.stdout.write(f"{state}: #{inbound.id} {inbound.outcome}{ticket}")
