"""The fault suite: Beacon's own processes against a private PostgreSQL and Redis that the
tests stop and start, and an SMTP sink that counts what arrives.

Beacon runs here as it does in production: separate processes (`manage.py shell -c`, a
real `celery worker`, `manage.py run_portal`) with DATABASE_URL and REDIS_URL naming the
private servers, under config.settings.local (the settings `make run` uses), migrated
with `manage.py migrate` once per session. The test process only watches: it reads the
database with psycopg and counts emails at the sink by Message-ID.

Nothing here skips: without initdb/pg_ctl or redis-server a test fails and says what to
install (a skipped fault suite would look green while proving nothing).
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller

from tests.faults.servers import PrivatePostgres, PrivateRedis
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CELERY = str(Path(sys.executable).parent / "celery")
# Bounds on waiting for something to happen; never assertions about speed.
WAIT = 60


def _fail_if_missing(make: Callable[[], object]) -> object:
    try:
        return make()
    except FileNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def private_redis() -> Iterator[PrivateRedis]:
    server = _fail_if_missing(PrivateRedis)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="session")
def private_postgres(tmp_path_factory) -> Iterator[PrivatePostgres]:
    """Initialised, started and migrated once; each test finds it running (see `services`)."""
    server = _fail_if_missing(PrivatePostgres)
    try:
        server.start()
        server.create_database()
        env = beacon_env(
            database_url=server.url,
            redis_url="",
            email_url="console:",
            var_dir=tmp_path_factory.mktemp("migrate-var"),
        )
        run_manage(env, "migrate", "--no-input")
        yield server
    finally:
        server.remove()


class Services:
    """The private servers of one test, up at its start."""

    def __init__(self, postgres: PrivatePostgres, redis_server: PrivateRedis) -> None:
        self.postgres, self.redis = postgres, redis_server

    def redis_client(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis.url, socket_timeout=5)


@pytest.fixture
def services(private_postgres, private_redis) -> Iterator[Services]:
    """Both servers running and Redis empty (no task or cache key of an earlier test)."""
    for server in (private_postgres, private_redis):
        if isinstance(server, PrivatePostgres) and not server.running:
            server.start()
        if isinstance(server, PrivateRedis) and server.process is None:
            server.start()
    found = Services(private_postgres, private_redis)
    found.redis_client().flushall()
    yield found
    if not private_postgres.running:
        private_postgres.start()


# ---------------------------------------------------------------------------- mail


class FaultySink:
    """An aiosmtpd handler that keeps every message it accepts; `on_accept`, when set, runs
    once, after the message is stored and before the 250 goes back (the moment the
    sender's SMTP client learns the mail was accepted)."""

    def __init__(self) -> None:
        self.received = []
        self.on_accept: Callable[[], None] | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.received.append(
                message_from_bytes(envelope.original_content, policy=policy.default)
            )
            hook, self.on_accept = self.on_accept, None
        if hook is not None:
            hook()
        return "250 Message accepted for delivery"

    def count_by_message_id(self) -> collections.Counter:
        with self.lock:
            return collections.Counter(str(message["Message-ID"]) for message in self.received)

    def copies_of(self, notification_id: int) -> int:
        """How many emails of this outbox row arrived (its Message-ID starts <n<id>.)."""
        prefix = f"<n{notification_id}."
        return sum(
            count
            for message_id, count in self.count_by_message_id().items()
            if message_id.startswith(prefix)
        )


@pytest.fixture
def sink() -> Iterator[FaultySink]:
    handler = FaultySink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    controller.stop()


# ---------------------------------------------------------------------------- processes


def beacon_env(*, database_url: str, redis_url: str, email_url: str, var_dir: Path) -> dict:
    """The environment of a Beacon process on the private servers, as `make run` sets it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "BEACON_", "PYTEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        EMAIL_URL=email_url,
        BEACON_VAR_DIR=str(var_dir),
        BEACON_SEMANTIC_SEARCH="0",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def env(services, sink, tmp_path) -> dict:
    """For a Beacon process: the private servers, mail to the sink, its own var/."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    return beacon_env(
        database_url=services.postgres.url,
        redis_url=services.redis.url,
        email_url=f"smtp://127.0.0.1:{sink.port}",
        var_dir=var_dir,
    )


def run_manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT * 2,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"manage.py {args[0]} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
        )
    return result.stdout


def run_shell(env: dict, code: str) -> str:
    """`manage.py shell -c code` in a process of its own; returns its last output line."""
    lines = run_manage(env, "shell", "-c", code).strip().splitlines()
    return lines[-1] if lines else ""


class Process:
    """A long-running Beacon process, its output kept in a file; stop() at the end."""

    def __init__(self, args: list[str], env: dict, name: str) -> None:
        self.name = name
        self.log_file = tempfile.NamedTemporaryFile(prefix=f"beacon-{name}-", suffix=".log")
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return Path(self.log_file.name).read_text(errors="replace")

    def wait_for_output(self, text: str, count: int = 1) -> str:
        """Until `text` appears `count` times in the output; returns the output."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            output = self.output()
            if output.count(text) >= count:
                return output
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(
            f"{self.name}: {text!r} did not appear {count} time(s); its output:\n"
            f"{self.output()[-6000:]}"
        )

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def close(self) -> None:
        self.stop()
        self.log_file.close()


@pytest.fixture
def start_worker(env) -> Iterator[Callable[[], Process]]:
    """A real `celery worker` (one process, the solo pool) on the private servers."""
    started: list[Process] = []

    def start() -> Process:
        worker = Process(
            [CELERY, "-A", "config", "worker", "-l", "info", "-P", "solo",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n",
             f"faults-{len(started)}@%h"],
            env,
            "worker",
        )  # fmt: skip
        started.append(worker)
        worker.wait_for_output("ready.")
        return worker

    yield start
    for worker in started:
        worker.close()


def wait_until(predicate: Callable[[], object], what: str) -> object:
    """Poll until `predicate()` is truthy (errors count as not yet); a bound, not a timing."""
    deadline = time.monotonic() + WAIT
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception as exc:  # the server may be coming back
            last_error = exc
        else:
            if value:
                return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what} (last error: {last_error!r})")
