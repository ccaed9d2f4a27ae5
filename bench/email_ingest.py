"""Email intake: messages per second through the whole pipeline on PostgreSQL, beside
parsing alone in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon python bench/email_ingest.py [--quick]

The shared real-world corpus (../shared/corpora/mail, about 100 messages) is repeated
to 10,000 messages (`--quick`: 1,000). Each copy gets its own Message-ID and sender (the
local part numbered), so every one is a new message from a new address, as a busy
support mailbox sees them: a ticket, a bounce, an automatic reply and so on, each in
its own transaction, with its attachments written to a scratch media folder, in batches
of 50 as the mailbox poll takes them (tickets.batch: per-batch lookups). The parse-only
baseline runs `parse_message` on the same bytes, in one process. `--processes N` also
runs the pipeline in N processes at once on other copies (each its own database
connection, as N webhook or pipe deliveries, or `ingest_email --workers N`, run), and
reports both figures. Ends with the JSON line.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import SHARED, django_on_scratch_database, drop_scratch_database, emit  # noqa: E402

CORPUS = SHARED / "corpora" / "mail"
BATCH = 50  # messages per ticket batch: one mailbox poll (tickets.mail.imap)
_MESSAGE_ID = re.compile(rb"^Message-ID:[^\r\n]*\r?\n", re.IGNORECASE | re.MULTILINE)
_FROM = re.compile(rb"^(From:[^\r\n]*?)([A-Za-z0-9._%+-]+)@", re.IGNORECASE | re.MULTILINE)


def corpus() -> list[bytes]:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and not p.name.startswith("LICENSE"))
    if not files:
        sys.exit(f"no corpus at {CORPUS} (set BEACON_SHARED_DIR)")
    return [raw for raw in (p.read_bytes() for p in files) if raw.strip()]  # one file is empty


def copies(messages: list[bytes], total: int, first: int = 0) -> list[bytes]:
    """`total` messages: the corpus over and over, each copy a distinct message."""
    made = []
    for n in range(first, first + total):
        raw = _MESSAGE_ID.sub(b"", messages[n % len(messages)], count=1)
        raw = _FROM.sub(lambda m, n=n: m.group(1) + m.group(2) + b"+b%d@" % n, raw, count=1)
        made.append(b"Message-ID: <bench-%d@bench.example>\r\n" % n + raw)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 messages instead of 10,000")
    parser.add_argument(
        "--processes", type=int, default=1, help="also run the pipeline in N processes at once"
    )
    args = parser.parse_args()
    total = 1_000 if args.quick else 10_000
    name = django_on_scratch_database()
    logging.disable(logging.WARNING)  # the corpus's broken messages are expected
    try:
        from django.conf import settings

        from tickets.batch import ticket_batch
        from tickets.mail.intake import email_ingest
        from tickets.mail.parsing import parse_message
        from tickets.models import InboundEmail

        settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="beacon-bench-media-")
        settings.BEACON_INBOUND_MAIL_PER_SENDER_PER_HOUR = 10**9
        messages = copies(corpus(), total)
        size = sum(len(m) for m in messages)
        print(f"{total} messages, {size / 1e6:.1f} MB, from {len(corpus())} corpus files")

        start = time.perf_counter()
        for raw in messages:
            parse_message(raw)
        parse_s = time.perf_counter() - start
        print(f"parse only:      {total / parse_s:8.1f} msgs/s  ({parse_s:.1f} s)")

        def ingest(share: list[bytes]) -> Counter[str]:
            outcomes: Counter[str] = Counter()
            for first in range(0, len(share), BATCH):  # as the mailbox poll takes them
                with ticket_batch():
                    for raw in share[first : first + BATCH]:
                        outcomes[str(email_ingest(raw, source="pipe").outcome)] += 1
            return outcomes

        start = time.perf_counter()
        outcomes = ingest(messages)
        ingest_s = time.perf_counter() - start
        stored = InboundEmail.objects.count()
        print(f"whole pipeline:  {total / ingest_s:8.1f} msgs/s  ({ingest_s:.1f} s)")
        print(f"ratio: the pipeline runs at {parse_s / ingest_s:.2f}× parse-only speed")
        print("outcomes:", dict(outcomes.most_common()))
        assert stored == total, f"{stored} stored of {total}"

        parallel_s = None
        if args.processes > 1:
            others = copies(corpus(), total, first=total)  # new messages, new senders
            parallel_s, outcomes = in_processes(ingest, others, args.processes)
            stored = InboundEmail.objects.count() - total
            print(
                f"{args.processes} processes:     {total / parallel_s:8.1f} msgs/s  "
                f"({parallel_s:.1f} s)"
            )
            print("outcomes:", dict(outcomes.most_common()))
            assert stored == total, f"{stored} stored of {total} in {args.processes} processes"
    finally:
        drop_scratch_database(name)
    result = {
        "bench": "email_ingest",
        "messages": total,
        "msgs_per_s": round(total / ingest_s, 1),
        "parse_only_msgs_per_s": round(total / parse_s, 1),
    }
    if parallel_s is not None:
        result[f"msgs_per_s_{args.processes}_processes"] = round(total / parallel_s, 1)
    emit(result)


def in_processes(ingest, messages: list[bytes], processes: int) -> tuple[float, Counter[str]]:
    """Seconds for `processes` forked processes to ingest every message between them (each
    takes every Nth), and their outcomes: the workers `ingest_email --workers` runs."""
    from tickets.management.commands.ingest_email import in_processes as forked

    start = time.perf_counter()
    counts, failed = forked(lambda n: (ingest(messages[n::processes]), False), processes)
    elapsed = time.perf_counter() - start
    assert not failed, "a process failed"
    return elapsed, counts


if __name__ == "__main__":
    main()
