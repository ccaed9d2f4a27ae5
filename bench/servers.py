"""The production server layout for the HTTP benchmarks: N ASGI server processes on a
scratch database, each on its own port, as a proxy would spread a crowd over them.

Each process runs the test settings with production's database settings (a connection
pool per process, `config.env.database_settings`) and Redis for the cache, shared with
the other processes and the parent as in production (one key prefix). The server is
uvicorn as deployed (config/web.py's options, uvloop, httptools), or daphne or granian
(one worker, uvloop) to compare them (`make bench` installs granian). Used by help_pages.py and console.py;
run as a script, it is one server process:

    python bench/servers.py --serve PORT --server uvicorn|daphne|granian
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable

from _support import ROOT

SERVERS = ("uvicorn", "daphne", "granian")

# Set by a parent whose sessions were made in-process (force_login): config.settings.test
# draws a random SECRET_KEY per process, so the servers take the parent's over.
SECRET_KEY_ENV = "BEACON_BENCH_SECRET_KEY"
# Set by help_pages.py to time pages rendered every time (the page memory off).
NO_PAGE_MEMORY_ENV = "BEACON_BENCH_NO_PAGE_MEMORY"
# The parent's cache key prefix: config.settings.test gives each process its own, and in
# production every process shares one (kept counts, kept staff, generations).
CACHE_PREFIX_ENV = "BEACON_BENCH_CACHE_PREFIX"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(database: str) -> str:
    """The URL of `database` on the server the parent's Django connection points at."""
    from django.db import connection

    settings = connection.settings_dict
    password = f":{urllib.parse.quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{database}"
    )


def serve(port: int, server: str = "uvicorn") -> None:
    """One server process on `port`."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    from django.conf import settings

    from config import env

    settings.DATABASES["default"] = env.database_settings(os.environ["DATABASE_URL"])
    settings.LOGGING = {"version": 1, "root": {"level": "WARNING"}}
    # As production: staff pages check the 2FA rule (config.settings.test turns it off);
    # the benches' staff have a factor (console.py).
    settings.BEACON_STAFF_MFA_REQUIRED = True
    if os.environ.get(SECRET_KEY_ENV):
        settings.SECRET_KEY = os.environ.pop(SECRET_KEY_ENV)
    if os.environ.get(CACHE_PREFIX_ENV):
        settings.CACHES["default"]["KEY_PREFIX"] = os.environ[CACHE_PREFIX_ENV]
    if os.environ.get(NO_PAGE_MEMORY_ENV):
        from helpcenter import caching

        caching.MAX_AGE = 0  # every page renders (HTTP headers unchanged)
    if server == "granian":
        from granian import Granian

        Granian(
            "config.asgi:application",
            address="127.0.0.1",
            port=port,
            interface="asgi",
            workers=1,
            loop="uvloop",
            log_level="warning",
        ).serve()
        return
    if server == "uvicorn":
        from config.web import serve as serve_uvicorn

        serve_uvicorn("config.asgi:application", "127.0.0.1", port, log_level="warning")
        return
    from daphne.cli import CommandLineInterface

    CommandLineInterface().run(["-b", "127.0.0.1", "-p", str(port), "config.asgi:application"])


def start_servers(
    database: str, count: int, log, server: str = "uvicorn", env: dict | None = None
) -> tuple[list[subprocess.Popen], list[int]]:
    """`count` server processes on `database`; returns them and their ports once each
    accepts connections."""
    from django.conf import settings

    environ = {
        **os.environ,
        "DATABASE_URL": database_url(database),
        "BEACON_SEMANTIC_SEARCH": "0",
        CACHE_PREFIX_ENV: settings.CACHES["default"].get("KEY_PREFIX", ""),
        **(env or {}),
    }
    processes, ports = [], []
    for _ in range(count):
        port = free_port()
        processes.append(
            subprocess.Popen(
                [sys.executable, __file__, "--serve", str(port), "--server", server],
                cwd=ROOT,
                env=environ,
                stdout=log,
                stderr=log,
            )
        )
        ports.append(port)
    try:
        for process, port in zip(processes, ports, strict=True):
            _wait_until_listening(process, port)
    except BaseException:
        stop(processes)
        raise
    return processes, ports


def _wait_until_listening(process: subprocess.Popen, port: int) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit("a server stopped at start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("a server did not start")


def run_clients(target: Callable, args_of: Callable[[int], tuple], clients: int) -> tuple:
    """`clients` client processes, the i-th running target(*args_of(i), out) and putting
    its one result on `out`; returns the results and the seconds from the first start to
    the last result."""
    out = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=target, args=(*args_of(i), out)) for i in range(clients)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    results = [out.get() for _ in workers]
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    return results, elapsed


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", type=int, metavar="PORT", required=True)
    parser.add_argument("--server", choices=SERVERS, default="uvicorn")
    args = parser.parse_args()
    serve(args.serve, args.server)
