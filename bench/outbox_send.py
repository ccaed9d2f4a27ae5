"""Outbox sending: emails per second to a local SMTP server, one row at a time and in batches.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon python bench/outbox_send.py [--quick] [--emails N] [--rounds N] [--profile]

On a scratch database: 50 tickets opened through `ticket_create`, then, each round, N
`ticket.received` email rows written as `notify` writes them (a third in Chinese, each
row about one of the 50 tickets, each recipient with an anti-phishing code), and sent to
an aiosmtpd server in this process that accepts everything:

- one row at a time: `notification_send` per row (claim, bounce look-up, render text
  and HTML in the row's language, a new SMTP session, mark): what one queued email costs;
- in batches: `notifications_send_batch` per 100 rows (one claim, one bounce look-up,
  each row rendered, one SMTP session, one mark): what `send_notifications` does;
- baselines, same run, same rendered message: bare `smtplib`, a new session per message
  (as Django's backend opens one per `notification_send`), and one session for all.

The rounds alternate the two paths, so a busy moment of the shared machine falls on both.
`--profile` prints where the batched path spends its time (cProfile). Ends with one JSON
line.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import django_on_scratch_database, drop_scratch_database, emit  # noqa: E402

TICKETS = 50


class _Sink:
    """An aiosmtpd handler that counts what it accepts."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.count += 1
        return "250 OK"


def world() -> list:
    from accounts.models import User
    from tickets import services
    from tickets.models import TicketType

    other = TicketType.objects.get(slug="other")
    tickets = []
    for n in range(TICKETS):
        person = User.objects.create_user(
            f"person{n}@bench.test",
            first_name=f"Person{n}",
            language="zh-hans" if n % 3 == 0 else "en",
        )
        person.anti_phishing_code = f"CODE{n:04d}"
        person.save(update_fields=["anti_phishing_code"])
        ticket = services.ticket_create(
            requester=person,
            ticket_type=other,
            subject=f"Question {n}: how do I change my email address?",
            body="How do I change the email address on my account?",
            field_values={},
            language=person.language,
            acknowledge=False,
        )
        tickets.append(ticket)
    return tickets


def write_rows(tickets: list, count: int, round_no: int, label: str) -> list[int]:
    """`count` pending email rows as notify() writes them (its Celery publish left out)."""
    from django.utils import timezone

    from notifications.models import Notification

    now = timezone.now()
    rows = Notification.objects.bulk_create(
        Notification(
            recipient=ticket.requester,
            kind="ticket.received",
            channel="email",
            language=ticket.language,
            context={"ticket_id": ticket.id, "number": ticket.number, "reply_by": ""},
            dedupe_key=f"bench:{label}:{round_no}:{n}",
            next_attempt_at=now,
        )
        for n, ticket in ((n, tickets[n % len(tickets)]) for n in range(count))
    )
    return [row.id for row in rows]


def one_at_a_time(ids: list[int]) -> float:
    from notifications.outbox import notification_send

    started = time.perf_counter()
    for notification_id in ids:
        assert notification_send(notification_id=notification_id, retry_in=30) == "sent"
    return time.perf_counter() - started


def batched(ids: list[int]) -> float:
    from notifications.batch import BATCH_SIZE, notifications_send_batch

    started = time.perf_counter()
    for start in range(0, len(ids), BATCH_SIZE):
        result = notifications_send_batch(ids=ids[start : start + BATCH_SIZE], retry_in=30)
        assert len(result.sent) == len(ids[start : start + BATCH_SIZE]), result.counts()
    return time.perf_counter() - started


def bare_smtplib(port: int, payload: bytes, sender: str, to: list[str], count: int) -> tuple:
    import smtplib

    started = time.perf_counter()
    for _n in range(count):
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.sendmail(sender, to, payload)
    each = time.perf_counter() - started
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for _n in range(count):
            smtp.sendmail(sender, to, payload)
    shared = time.perf_counter() - started
    return each, shared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 emails a round, 2 rounds")
    parser.add_argument("--emails", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    count = args.emails or (500 if args.quick else 2_000)
    rounds = args.rounds or (2 if args.quick else 3)

    database = django_on_scratch_database()
    from aiosmtpd.controller import Controller
    from django.test.utils import teardown_test_environment

    # As a worker runs: templates not instrumented for the test client's signals.
    teardown_test_environment()
    from django.conf import settings
    from django.db import connection

    from notifications.emails import email_render
    from notifications.models import Notification

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = _Sink()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        tickets = world()
        print(f"{TICKETS} tickets; {count:,} emails a round, {rounds} rounds, alternating")
        rates: dict[str, list[float]] = {"one at a time": [], "batched": []}
        for round_no in range(rounds):
            order = (
                ["one at a time", "batched"] if round_no % 2 == 0 else ["batched", "one at a time"]
            )
            for label in order:
                ids = write_rows(tickets, count, round_no, label)
                before = sink.count
                seconds = (one_at_a_time if label == "one at a time" else batched)(ids)
                assert sink.count - before == count, (sink.count - before, count)
                assert not Notification.objects.filter(id__in=ids).exclude(status="sent").exists()
                rates[label].append(count / seconds)
                load = "/".join(f"{x:.1f}" for x in __import__("os").getloadavg())
                print(
                    f"  round {round_no + 1}  {label:<14} {count / seconds:7.0f} emails/s   (load {load})"
                )
        sample = Notification.objects.filter(kind="ticket.received").order_by("id").first()
        message = email_render(sample).message()
        payload = message.as_bytes(linesep="\r\n")
        each, shared = bare_smtplib(
            port, payload, settings.DEFAULT_FROM_EMAIL, [sample.recipient.email], count
        )
        median = {label: statistics.median(values) for label, values in rates.items()}
        print(f"\nmedian of {rounds} rounds ({count:,} emails each):")
        print(
            f"  outbox, one row at a time (notification_send)   {median['one at a time']:7.0f} emails/s"
        )
        print(
            f"  outbox, batches of 100 (send_notifications)     {median['batched']:7.0f} emails/s"
        )
        print(f"  bare smtplib, a session per message             {count / each:7.0f} emails/s")
        print(f"  bare smtplib, one session for all               {count / shared:7.0f} emails/s")
        if args.profile:
            ids = write_rows(tickets, count, rounds, "profile")
            profile = cProfile.Profile()
            profile.enable()
            batched(ids)
            profile.disable()
            print(f"\nwhere the batched path's time goes ({count:,} emails):")
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        emit(
            {
                "bench": "outbox_send",
                "emails": count,
                "rounds": rounds,
                "one_at_a_time_emails_per_s": round(median["one at a time"], 1),
                "batched_emails_per_s": round(median["batched"], 1),
                "smtplib_session_each_per_s": round(count / each, 1),
                "smtplib_one_session_per_s": round(count / shared, 1),
            }
        )
    finally:
        controller.stop()
        connection.close()
        drop_scratch_database(database)


if __name__ == "__main__":
    main()
