"""Before a transactional test's flush: wait until other connections to the test database
are idle. A server process or a socket's worker thread may still be finishing what the
test started (a closing socket's goodbye, the bot's answer after the test stopped
listening); a flush racing it deadlocked (TRUNCATE against its open transaction). A
bounded wait, not a speed test."""

from __future__ import annotations

import time

from django.db import connection

SETTLE_WAIT = 10


def wait_for_other_connections_to_settle() -> None:
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + SETTLE_WAIT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
            )
            if not cursor.fetchone()[0]:
                return
            time.sleep(0.05)
