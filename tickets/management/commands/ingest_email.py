"""Ingest email: `manage.py ingest_email < message.eml`, or many at once:
`manage.py ingest_email FILE|DIR|MBOX ...` (files, a Maildir or any folder of files, mbox
files), so a backlog is replayed in one process instead of one start-up a message.

For delivery by an MTA pipe (Postfix `pipe`, Exim `pipe` transport, procmail). Exit
codes follow sysexits.h, which MTAs understand: 0 stored (or already stored), 65 the
input is not a message (the MTA bounces it), 75 try again later (the MTA keeps it).
With paths: every message is tried (each in its own transaction, exactly once, so a
replay can be run again); 65 if any was refused, 75 as soon as the database is away
(what was stored stays stored; run it again).
"""

from __future__ import annotations

import mailbox
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from core.exceptions import ApplicationError
from tickets.mail.intake import email_ingest
from tickets.models import InboundEmail

EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = (
        "Read one raw RFC 822 message from stdin, or every message in the given files, "
        "Maildirs, folders and mbox files, and turn each into a ticket or a reply."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("paths", nargs="*", help="message files, Maildirs, folders, mbox files")

    def handle(self, *args: object, **options: object) -> None:
        paths = options.get("paths") or []
        if not paths:
            raw = sys.stdin.buffer.read(settings.BEACON_INBOUND_MAIL_MAX_BYTES + 1)
            self._one(raw, "stdin", exit_on_refusal=True)
            return
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise CommandError(f"no such file or folder: {', '.join(missing)}")
        counts: Counter[str] = Counter()
        for name, raw in _messages([Path(p) for p in paths]):
            counts[self._one(raw, name, exit_on_refusal=False)] += 1
        summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        self.stdout.write(f"ingest_email: {summary or 'no messages'}")
        if counts["refused"]:
            raise SystemExit(EX_DATAERR)

    def _one(self, raw: bytes, name: str, *, exit_on_refusal: bool) -> str:
        try:
            intake = email_ingest(raw, source=InboundEmail.Source.PIPE)
        except ApplicationError as exc:
            self.stderr.write(f"ingest_email: {name}: {exc.message}")
            if exit_on_refusal:
                raise SystemExit(EX_DATAERR) from None
            return "refused"
        except DatabaseError as exc:
            self.stderr.write(f"ingest_email: database unavailable, try later ({exc})")
            raise SystemExit(EX_TEMPFAIL) from None
        inbound = intake.inbound
        state = "stored" if intake.created else "already stored"
        ticket = f" ticket {inbound.ticket.number}" if inbound.ticket_id else ""
        prefix = "" if name == "stdin" else f"{name}: "
        self.stdout.write(f"{prefix}{state}: #{inbound.id} {inbound.outcome}{ticket}")
        return state


def _messages(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    """(name, raw bytes) of every message under `paths`, in a stable order."""
    limit = settings.BEACON_INBOUND_MAIL_MAX_BYTES + 1
    for path in paths:
        if path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir():
            box = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(box.keys()):
                yield f"{path}/{key}", box.get_bytes(key)[:limit]
        elif path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _file(child, limit)
        else:
            yield from _file(path, limit)


def _file(path: Path, limit: int) -> Iterator[tuple[str, bytes]]:
    with path.open("rb") as handle:
        head = handle.read(5)
    if head == b"From ":  # an mbox: one message or many, each after its "From " line
        box = mailbox.mbox(path, factory=None, create=False)
        for index, key in enumerate(box.keys()):
            yield f"{path}[{index}]", box.get_bytes(key)[:limit]
        return
    yield str(path), path.read_bytes()[:limit]
