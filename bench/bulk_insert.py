"""Many notification rows in one statement: `core.inserts.insert_unless_taken` beside
Django's `bulk_create(ignore_conflicts=True)` of the same rows, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon python bench/bulk_insert.py [--rows N] [--rounds N]

The rows are shaped like the SLA sweep's (600 by default: 100 due tickets, a warning and
a breach, three people each; a context shared by the rows of one ticket and step, most
columns the same in every row). Each round inserts them inside a savepoint that is rolled
back, so every round writes into the same table. Alternates the two, `--rounds` times
each; prints the medians and the JSON line. `bulk_create` gives no ids back when it
ignores conflicts, so it does less than `insert_unless_taken`: it is the floor, not a rival.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _support import django_on_scratch_database, drop_scratch_database, emit


def rows_for(users: list, count: int, tag: str) -> list:
    from django.utils import timezone

    from notifications.models import Notification

    now = timezone.now()
    contexts = [
        {"ticket": f"BCN-{n}", "subject": f"提币未到账 {n}", "url": f"/console/tickets/{n}/"}
        for n in range(count // 3 + 1)
    ]
    return [
        Notification(
            recipient=users[n % len(users)],
            kind="sla.warning" if n % 2 else "sla.breach",
            channel="email" if n % 3 else "bell",
            language="zh-hans",
            context=contexts[n // 3],
            dedupe_key=f"{tag}:{n}",
            next_attempt_at=now,
        )
        for n in range(count)
    ]


def timed_ms(insert, users: list, count: int, tag: str) -> float:
    from django.db import transaction

    rows = rows_for(users, count, tag)
    savepoint = transaction.savepoint()
    started = time.perf_counter()
    insert(rows)
    elapsed = time.perf_counter() - started
    transaction.savepoint_rollback(savepoint)
    return elapsed * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    database = django_on_scratch_database()
    try:
        from django.db import transaction

        from accounts.models import User
        from core.inserts import insert_unless_taken
        from notifications.models import Notification

        ways = {
            "insert_unless_taken": lambda rows: insert_unless_taken(rows, key="dedupe_key"),
            "bulk_create": lambda rows: Notification.objects.bulk_create(
                rows, ignore_conflicts=True
            ),
        }
        samples: dict[str, list[float]] = {name: [] for name in ways}
        with transaction.atomic():
            users = [User.objects.create(email=f"bench{n}@example.test") for n in range(20)]
            for name, insert in ways.items():  # warm-up
                timed_ms(insert, users, args.rows, f"warm-{name}")
            for round_ in range(args.rounds):
                for name, insert in ways.items():
                    samples[name].append(timed_ms(insert, users, args.rows, f"{name}-{round_}"))
            transaction.set_rollback(True)
    finally:
        drop_scratch_database(database)
    print(f"{args.rows} rows, {args.rounds} rounds each, alternating")
    for name, values in samples.items():
        print(
            f"  {name:<22} median {statistics.median(values):7.1f} ms   min {min(values):7.1f} ms"
        )
    emit(
        {
            "bench": "bulk_insert",
            "rows": args.rows,
            "insert_unless_taken_ms": round(statistics.median(samples["insert_unless_taken"]), 1),
            "bulk_create_ms": round(statistics.median(samples["bulk_create"]), 1),
        }
    )


if __name__ == "__main__":
    main()
