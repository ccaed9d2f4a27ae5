"""Ingest email: `manage.py ingest_email < message.eml`, or many at once:
`manage.py ingest_email FILE|DIR|MBOX ...` (files, a Maildir or any folder of files, mbox
files), so a backlog is replayed in one process instead of one start-up a message;
`--workers N` replays it in N processes at once (one a core: the pipeline's time is
Python and database round trips, so two processes on two cores take about half as long).

For delivery by an MTA pipe (Postfix `pipe`, Exim `pipe` transport, procmail). Exit
codes follow sysexits.h, which MTAs understand: 0 stored (or already stored), 65 the
input is not a message (the MTA bounces it), 75 try again later (the MTA keeps it).
With paths: every message is tried on its own (its own transaction, exactly once, so a
replay can be run again; one that fails is named and skipped, and leaves nothing
behind), in batches of 50 as the mailbox poll takes them (tickets.batch). The last line
counts them: stored, duplicate (stored before), auto-reply (machine mail filed without
a ticket: automatic replies, bulk mail, bounces, our own mail), refused (empty or too
large) and failed. Exit 0 when nothing was refused or failed, 65 when something was
refused, 75 when something failed or the database went away (run it again).
"""

from __future__ import annotations

import mailbox
import multiprocessing
import re
import sys
from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, connections

from core.exceptions import ApplicationError
from tickets.batch import ticket_batch
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
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes ingesting the paths' messages at once (each takes every Nth)",
        )

    def handle(self, *args: object, **options: object) -> None:
        paths = options.get("paths") or []
        if not paths:
            raw = sys.stdin.buffer.read(settings.BEACON_INBOUND_MAIL_MAX_BYTES + 1)
            self._one(raw, "stdin", exit_on_refusal=True)
            return
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise CommandError(f"no such file or folder: {', '.join(missing)}")
        workers = options.get("workers", 1)
        if not 1 <= workers <= MAX_WORKERS:
            raise CommandError(f"--workers takes 1 to {MAX_WORKERS}")
        share = partial(self._share, [Path(p) for p in paths], workers)
        if workers == 1:
            counts, away = share(0)
        else:
            counts, away = in_processes(share, workers)
        self.stdout.write(_summary(counts))  # also when the database went away
        if away or counts["failed"]:
            raise SystemExit(EX_TEMPFAIL)
        if counts["refused"]:
            raise SystemExit(EX_DATAERR)

    def _share(self, paths: list[Path], workers: int, worker: int) -> tuple[Counter[str], bool]:
        """Ingest every `workers`-th message from the `worker`-th: the outcomes counted,
        and whether the database went away (the rest is left for the next run)."""
        counts: Counter[str] = Counter()
        mine = (item for n, item in enumerate(_messages(paths)) if n % workers == worker)
        try:
            for batch in _batches(mine, BATCH):
                with ticket_batch():
                    for name, raw in batch:
                        counts[self._one(raw, name, exit_on_refusal=False)] += 1
        except SystemExit:  # _one: the database is away
            return counts, True
        return counts, False

    def _one(self, raw: bytes, name: str, *, exit_on_refusal: bool) -> str:
        try:
            intake = email_ingest(raw, source=InboundEmail.Source.PIPE)
        except ApplicationError as exc:
            self.stderr.write(f"ingest_email: {name}: {exc.message}")
            if exit_on_refusal:
                raise SystemExit(EX_DATAERR) from None
            return "refused"
        except DatabaseError as exc:
            if exit_on_refusal or not _database_answers():
                self.stderr.write(f"ingest_email: database unavailable, try later ({exc})")
                raise SystemExit(EX_TEMPFAIL) from None
            self.stderr.write(f"ingest_email: {name}: not stored ({exc})")
            return "failed"
        except Exception as exc:  # one message's fault: it was rolled back, go on with the rest
            if exit_on_refusal:
                raise
            self.stderr.write(f"ingest_email: {name}: not stored ({type(exc).__name__}: {exc})")
            return "failed"
        inbound = intake.inbound
        ticket = f" ticket {inbound.ticket.number}" if inbound.ticket_id else ""
        prefix = "" if name == "stdin" else f"{name}: "
        state = "stored" if intake.created else "already stored"
        self.stdout.write(f"{prefix}{state}: #{inbound.id} {inbound.outcome}{ticket}")
        if not intake.created:
            return "duplicate"
        return "auto-reply" if inbound.outcome in _MACHINE_MAIL else "stored"


BATCH = 50
MAX_WORKERS = 32


def in_processes(share, workers: int) -> tuple[Counter[str], bool]:
    """Run share(0) … share(workers - 1) in forked processes, each with its own database
    connection; their counts added up. A process that died counts as the database away:
    the run is to be repeated (exactly once makes that safe)."""
    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()
    connections.close_all()  # a child must not share the parent's socket

    def run(worker: int) -> None:
        try:
            results.put(share(worker))
        finally:
            connections.close_all()

    processes = [context.Process(target=run, args=(n,)) for n in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    counts: Counter[str] = Counter()
    away = any(process.exitcode != 0 for process in processes)
    while not results.empty():
        done, went_away = results.get()
        counts += done
        away = away or went_away
    return counts, away


# Stored without a ticket: mail a machine sent that nobody needs to answer.
_MACHINE_MAIL = {
    InboundEmail.Outcome.AUTO_REPLY,
    InboundEmail.Outcome.BULK,
    InboundEmail.Outcome.BOUNCE,
    InboundEmail.Outcome.LOOP,
}
_COUNTED = ("stored", "duplicate", "auto-reply", "refused", "failed")


def _summary(counts: Counter[str]) -> str:
    parts = ", ".join(f"{counts[state]} {state}" for state in _COUNTED)
    return f"ingest_email: {counts.total()} messages: {parts}"


def _database_answers() -> bool:
    """After a database error: is it this message's, or is the database away?"""
    try:
        if not connection.in_atomic_block:  # a broken connection is opened again
            connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def _batches(items: Iterator[tuple[str, bytes]], size: int) -> Iterator[list[tuple[str, bytes]]]:
    batch: list[tuple[str, bytes]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


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
            yield f"{path}[{index}]", _unquote_from(box.get_bytes(key)[:limit])
        return
    yield str(path), path.read_bytes()[:limit]


# mbox writers quote a body line that starts with "From " as ">From " (and mboxrd quotes
# ">From " as ">>From "): one ">" comes off, so the ticket shows what was written and a
# copy that also came by the pipe or IMAP is recognised as the same message.
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def _unquote_from(raw: bytes) -> bytes:
    return _QUOTED_FROM.sub(rb"\1", raw)
