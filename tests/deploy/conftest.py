"""One proxy and two web processes behind it, shared by the deploy tests of a run (they start
in parallel, once); workers are started by the test that needs them."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings

from tests.deploy.proxy import ProxiedWeb, Proxy, nginx_missing, stop_all
from tests.servers import free_port


@dataclass
class Stack:
    proxy: Proxy
    webs: list[ProxiedWeb]

    def tls(self) -> ssl.SSLContext:
        """A client context that trusts the proxy's certificate (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.proxy.cert))


@pytest.fixture(scope="session")
def stack(django_db_setup, django_db_blocker) -> Iterator[Stack]:
    """nginx (deploy/nginx/) on free ports in front of web processes "a" and "b"."""
    missing = nginx_missing()
    if missing:
        pytest.fail(missing, pytrace=False)
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if not backend.startswith("channels_redis"):
        pytest.fail("set REDIS_URL: web processes behind one proxy share Redis", pytrace=False)
    ports = [free_port(), free_port()]
    https_port = free_port()
    origin = f"https://127.0.0.1:{https_port}"
    started: list = []
    try:
        webs = [
            ProxiedWeb(name, port=port, origin=origin)
            for name, port in zip(("a", "b"), ports, strict=True)
        ]
        started += webs
        proxy = Proxy(ports, https_port=https_port)
        started.append(proxy)
        for process in started:
            process.wait_ready()
        yield Stack(proxy=proxy, webs=webs)
    finally:
        # Stopped before the test database is dropped: the web processes hold connections.
        stop_all(started)


@pytest.fixture(autouse=True)
def _servers_settled_before_flush(request):
    """After a test that wrote to the database, wait until the web processes have finished
    what its closing sockets started before the database is flushed (a TRUNCATE racing a
    consumer's transaction deadlocks; tests/browser/conftest.py does the same): every
    socket they accepted has closed, and no other connection to the test database is busy
    three looks in a row. A bounded wait, not a speed test."""
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    request.getfixturevalue("transactional_db")  # so the flush comes after this waits
    yield
    from django.db import connection

    deadline = time.monotonic() + 10
    webs = request.getfixturevalue("stack").webs if "stack" in request.fixturenames else []
    while time.monotonic() < deadline and any(
        web.output().count('"WSCONNECT ') > web.output().count('"WSDISCONNECT ') for web in webs
    ):
        time.sleep(0.05)
    quiet = 0
    with connection.cursor() as cursor:
        while time.monotonic() < deadline and quiet < 3:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
            )
            quiet = 0 if cursor.fetchone()[0] else quiet + 1
            time.sleep(0.05)
