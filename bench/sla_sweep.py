"""SLA sweep: its cost with 100 due tickets among 10,000 and among 1,000,000 open ones.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon python bench/sla_sweep.py [--quick]

Loads open tickets with COPY (`--quick`: 10,000 and 100,000), every one under a policy
with its clock fields filled in as the services would: 100 are due (their next SLA step
has passed), the rest are due later, up to a week ahead. Each round puts the same 100
tickets back to due (their escalations deleted, the clock fields restored) and times one
`sla_sweep()` call in-process, with its SQL queries counted, and the parts of it that
notify: writing the outbox rows (`notices.sla_steps`) and the after-commit work (Celery
publishes, bell pushes). Then the notification outbox's throughput: emails rendered and
sent per second to a local SMTP sink (aiosmtpd), one row at a time
(`notification_send`) and, where the tree has them, in batches (`notifications.batch`,
as the sweep's emails go since issue 19), beside plain `smtplib` sends of the same
number of messages to the same sink. Ends with the JSON line of DESIGN.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import statistics
import sys
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import django_on_scratch_database, drop_scratch_database, emit, percentile  # noqa: E402

DUE = 100
ROUNDS = 30
CHUNK = 20_000
COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "number",
    "requester_id",
    "type_id",
    "subject",
    "status",
    "priority",
    "channel",
    "language",
    "fields",
    "tags",
    "sla_policy_id",
    "sla_target",
    "sla_warn_at",
    "sla_due_at",
    "sla_next_check_at",
]


def load(start_id: int, count: int, world: dict, now: dt.datetime) -> None:
    """COPY `count` open tickets numbered from `start_id`, none of them due."""
    from console import copy_rows
    from django.db import connection

    from tickets.models import Ticket

    rng = random.Random(start_id)

    def rows():
        for n in range(start_id, start_id + count):
            created = now - dt.timedelta(minutes=rng.randint(0, 50))
            due = now + dt.timedelta(days=1, minutes=rng.randint(60, 7 * 24 * 60))
            warn = created + (due - created) * 0.75
            yield (
                n,
                created.isoformat(),
                created.isoformat(),
                f"990101-{n:07d}",
                world["requester"],
                world["type"],
                "Deposit not credited",
                rng.choice(["new", "open", "on_hold"]),
                "normal",
                "web",
                "en",
                "{}",
                "[]",
                world["policy"],
                "first_response",
                warn.isoformat(),
                due.isoformat(),
                max(warn, now + dt.timedelta(days=1)).isoformat(),
            )

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            stream, done = rows(), 0
            while done < count:
                size = min(CHUNK, count - done)
                copy_rows(cursor, Ticket, COLUMNS, islice(stream, size))
                done += size
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), "
            "(SELECT max(id) FROM tickets_ticket))"
        )
        cursor.execute("VACUUM ANALYZE tickets_ticket")


def make_due(ids: list[int], now: dt.datetime, agent_id: int) -> None:
    """Put the measured tickets back: created 70 minutes ago under a 60-minute target."""
    from django.db import connection

    from notifications.models import Notification
    from tickets.models import SlaEscalation, Ticket, TicketEvent

    SlaEscalation.objects.filter(ticket_id__in=ids).delete()
    Notification.objects.filter(kind__startswith="sla.").delete()
    TicketEvent.objects.filter(ticket_id__in=ids).delete()
    created = now - dt.timedelta(minutes=70)
    Ticket.objects.filter(id__in=ids).update(
        created_at=created,
        priority="normal",
        assignee_id=agent_id,
        sla_target="first_response",
        sla_warn_at=created + dt.timedelta(minutes=45),
        sla_due_at=created + dt.timedelta(minutes=60),
        sla_next_check_at=created + dt.timedelta(minutes=45),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")


class _Clock:
    """Time spent in a function, summed over a round (a wrapper, so it works on any tree)."""

    def __init__(self, owner, name: str) -> None:
        self.owner, self.name, self.spent = owner, name, 0.0
        self.original = getattr(owner, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - started

        setattr(owner, name, timed)

    def take(self) -> float:
        spent, self.spent = self.spent, 0.0
        return spent


def measure_sweep(ids: list[int], rounds: int, agent_id: int) -> tuple[list[float], int, dict]:
    """Each round's sweep time and its SQL; and, per round, the time in writing the
    notification rows (notices.sla_steps) and in the after-commit work (Celery publishes,
    bell pushes over the channel layer), medians in ms."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tickets import notices
    from tickets.sla.sweep import sla_sweep

    rows = _Clock(notices, "sla_steps")
    after_commit = _Clock(connection, "run_and_clear_commit_hooks")
    times, queries, parts = [], 0, {"rows": [], "after_commit": [], "sql": []}
    try:
        for _round in range(rounds):
            now = timezone.now()
            make_due(ids, now, agent_id)
            rows.take(), after_commit.take()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = sla_sweep(now=now)
                times.append(time.perf_counter() - started)
            parts["rows"].append(rows.take() * 1000)
            parts["after_commit"].append(after_commit.take() * 1000)
            # Time inside cursor.execute: parameters dumped, the round trip, the server's work.
            parts["sql"].append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            assert result.tickets == len(ids), (result.tickets, len(ids))
            assert len(result.steps) == 2 * len(ids)  # a warning and a breach each
            queries = len(captured.captured_queries)
    finally:
        notices.sla_steps = rows.original
        del connection.run_and_clear_commit_hooks  # the class's method again
    return times, queries, {part: statistics.median(ms) for part, ms in parts.items()}


def world_setup() -> dict:
    from accounts.models import Role, User
    from accounts.services import user_role_grant
    from tickets.models import SlaPolicy, TicketType

    requester = User.objects.create_user("requester@bench.test")
    # Who hears of the steps: the tickets' assignee (at risk, breached) and a supervisor.
    agent = User.objects.create_user("agent@bench.test")
    user_role_grant(user=agent, role=Role.AGENT)
    supervisor = User.objects.create_user("supervisor@bench.test")
    user_role_grant(user=supervisor, role=Role.SUPERVISOR)
    ticket_type = TicketType.objects.get(slug="deposit-not-credited")
    policy = SlaPolicy.objects.create(
        name="Bench", ticket_type=None, priority="", first_response_minutes=60
    )
    return {
        "requester": requester.id,
        "type": ticket_type.id,
        "policy": policy.id,
        "agent": agent.id,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 and 100,000 tickets")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--emails", type=int, default=2_000)
    parser.add_argument(
        "--no-notifications",
        action="store_true",
        help="the sweep's own work only: no outbox rows, emails or bell pushes for its steps",
    )
    parser.add_argument(
        "--profile", action="store_true", help="print where one sweep's time goes (cProfile)"
    )
    args = parser.parse_args()
    small, large = (10_000, 100_000) if args.quick else (10_000, 1_000_000)
    database = django_on_scratch_database()
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        drop_scratch_database(database)
        sys.exit("sla_sweep measures PostgreSQL: set DATABASE_URL=postgres://…")
    if args.no_notifications:
        from tickets import notices

        # The sweep alone: it tells nobody of its steps (it calls notices.sla_steps).
        notices.sla_steps = lambda steps: None
    try:
        world = world_setup()
        now = timezone.now()
        started = time.perf_counter()
        load(1, small, world, now)
        print(f"{small:,} open tickets loaded in {time.perf_counter() - started:.1f} s")
        due_ids = random.Random(7).sample(range(1, small + 1), DUE)
        small_times, small_queries, _parts = measure_sweep(due_ids, args.rounds, world["agent"])
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            measure_sweep(due_ids, 1, world["agent"])
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        started = time.perf_counter()
        load(small + 1, large - small, world, now)
        print(f"{large:,} open tickets loaded in {time.perf_counter() - started:.1f} s")
        large_times, large_queries, parts = measure_sweep(due_ids, args.rounds, world["agent"])

        def line(label: str, times: list[float], queries: int) -> None:
            ms = [t * 1000 for t in times]
            print(
                f"  {label:<28} median {statistics.median(ms):7.1f} ms   "
                f"p99 {percentile(ms, 99):7.1f} ms   {queries} queries"
            )

        print(f"\nSweep of {DUE} due tickets ({args.rounds} rounds each; warning + breach each)")
        line(f"among {small:,} open", small_times, small_queries)
        line(f"among {large:,} open", large_times, large_queries)
        print(
            f"  of which (among {large:,}, medians): notification rows "
            f"{parts['rows']:.1f} ms, after commit (Celery publishes, bell pushes) "
            f"{parts['after_commit']:.1f} ms; in cursor.execute (all statements) "
            f"{parts['sql']:.1f} ms"
        )
        emails_per_s, batched_per_s, smtplib_per_s = measure_emails(args.emails)
        batched = f", in batches {batched_per_s:.0f}/s" if batched_per_s else ""
        print(
            f"\nOutbox: {emails_per_s:.0f} emails/s one at a time{batched}; "
            f"plain smtplib to the same sink: {smtplib_per_s:.0f}/s"
        )
        emit(
            {
                "bench": "sla_sweep",
                "notifications": not args.no_notifications,
                "open_tickets": large,
                "due": DUE,
                "sweep_ms": round(statistics.median(large_times) * 1000, 2),
                "sweep_ms_10k": round(statistics.median(small_times) * 1000, 2),
                "sweep_queries": large_queries,
                "notification_rows_ms": round(parts["rows"], 1),
                "after_commit_ms": round(parts["after_commit"], 1),
                "sql_ms": round(parts["sql"], 1),
                "emails_per_s": round(emails_per_s, 1),
                "batched_emails_per_s": round(batched_per_s, 1) if batched_per_s else None,
                "smtplib_emails_per_s": round(smtplib_per_s, 1),
            }
        )
    finally:
        from django.db import connections

        connections.close_all()
        drop_scratch_database(database)


class _Sink:
    """An aiosmtpd handler that counts what it accepts."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.count += 1
        return "250 OK"


def measure_emails(count: int) -> tuple[float, float | None, float]:
    """Emails per second through the outbox's send path (claim, render in the recipient's
    language, SMTP, mark) to a local aiosmtpd sink, and plain smtplib sends of the same
    message to the same sink, one SMTP session each (as Django's backend opens)."""
    import smtplib
    import socket

    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.utils import timezone

    from notifications.emails import email_render
    from notifications.models import Notification
    from notifications.outbox import notification_send
    from tickets.models import Ticket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = _Sink()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        ticket = Ticket.objects.select_related("requester").order_by("id").first()
        now = timezone.now()
        # Rows as notify() writes them (its Celery publish is what this leaves out).
        rows = Notification.objects.bulk_create(
            Notification(
                recipient=ticket.requester,
                kind="ticket.received",
                channel="email",
                language="en" if n % 3 else "zh-hans",
                context={"ticket_id": ticket.id, "number": ticket.number, "reply_by": ""},
                dedupe_key=f"bench:{n}",
                next_attempt_at=now,
            )
            for n in range(count)
        )
        started = time.perf_counter()
        for row in rows:
            assert notification_send(notification_id=row.id, retry_in=30) == "sent"
        outbox_s = time.perf_counter() - started
        assert sink.count == count, sink.count
        batched_s = None
        try:  # the sweep's emails go in batches since issue 19 (send_notifications)
            from notifications.batch import BATCH_SIZE, notifications_send_batch
        except ImportError:
            pass
        else:
            again = Notification.objects.bulk_create(
                Notification(
                    recipient=row.recipient,
                    kind=row.kind,
                    channel="email",
                    language=row.language,
                    context=row.context,
                    dedupe_key=f"bench-batch:{n}",
                    next_attempt_at=now,
                )
                for n, row in enumerate(rows)
            )
            ids = [row.id for row in again]
            started = time.perf_counter()
            for start in range(0, count, BATCH_SIZE):
                notifications_send_batch(ids=ids[start : start + BATCH_SIZE], retry_in=30)
            batched_s = time.perf_counter() - started
            assert sink.count == 2 * count, sink.count
        message = email_render(rows[0]).message()
        payload, sender, to = (
            message.as_bytes(linesep="\r\n"),
            settings.DEFAULT_FROM_EMAIL,
            [ticket.requester.email],
        )
        started = time.perf_counter()
        for _n in range(count):
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                smtp.sendmail(sender, to, payload)
        plain_s = time.perf_counter() - started
    finally:
        controller.stop()
    return count / outbox_s, (count / batched_s if batched_s else None), count / plain_s


if __name__ == "__main__":
    main()
