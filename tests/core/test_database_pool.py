"""A crowd against a real ASGI server with production's database settings.

The test settings open and close a connection per request (CONN_MAX_AGE=0, no pool), so
the rest of the suite cannot see how the production settings hold connections: here a
web process (uvicorn) serves with env.database_settings (Django's pool), 64 clients load pages
that read the database for a few seconds, and pg_stat_activity is watched the whole time.
Counts and statuses only; nothing here measures speed.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from tests.servers import AsgiServer

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 64
LOAD_SECONDS = 4  # how long the crowd stays; requests are counted, not timed
POOL_MAX_SIZE = 4
# A bound on one answer, so a stuck server fails the test instead of hanging it.
ANSWER_WAIT = 60


def server_connections() -> int:
    """Client connections to this test database other than the test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def crowd(port: int, paths: list[str], until: float) -> tuple[Counter, list[str]]:
    """CLIENTS keep-alive clients, each cycling through `paths` until `until`."""
    statuses: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWER_WAIT)
        for path in itertools.islice(itertools.cycle(paths), offset, None):
            if time.monotonic() > until:
                break
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWER_WAIT)
                with lock:
                    errors.append(f"{path}: {exc!r}")
                continue
            with lock:
                statuses[(path, status)] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, errors


def test_database_pool_serves_64_clients_with_no_5xx_and_bounded_connections(
    article_factory, announcement_factory
):
    # given: help-centre content, and a server with the production database settings
    articles = [article_factory(slug=f"withdrawal-{n}", title=f"Withdrawal {n}") for n in range(5)]
    announcement_factory()
    paths = [
        "/",
        *(f"/help/articles/{article.slug}/" for article in articles),
        "/api/v1/helpcenter/search?q=withdrawal",
        "/healthz",
    ]
    server = AsgiServer(
        settings_module="tests.core.pool_settings",
        BEACON_DB_POOL_MAX_SIZE=str(POOL_MAX_SIZE),
        BEACON_DB_POOL_MIN_SIZE="1",
    )
    try:
        server.wait_ready()
        # when: 64 clients for a few seconds, the database's sessions sampled meanwhile
        until = time.monotonic() + LOAD_SECONDS
        seen: list[int] = []
        result: list = []
        load = threading.Thread(target=lambda: result.extend(crowd(server.port, paths, until)))
        load.start()
        while load.is_alive():
            seen.append(server_connections())
            time.sleep(0.05)
        load.join()
        after = server_connections()
    finally:
        log = server.stop()
    statuses, errors = result
    # then: every request answered, none with a 5xx
    assert not errors, errors[:5]
    server_errors = {key: count for key, count in statuses.items() if key[1] >= 500}
    assert not server_errors, (server_errors, log)
    assert sum(statuses.values()) >= CLIENTS
    assert {path for path, status in statuses if status == 200} == set(paths)
    # and the server never held more connections than its pool allows, nor kept more after
    assert max(seen) >= 1  # it did use the database while the test watched
    # The pool's bound, plus one: a connection the pool has just discarded (returned in a
    # bad state) shows in pg_stat_activity until its backend exits, beside its
    # replacement. Without the pool the same crowd held 98.
    assert max(seen) <= POOL_MAX_SIZE + 1, seen
    assert after <= POOL_MAX_SIZE + 1
