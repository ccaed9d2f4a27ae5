"""A private PostgreSQL and a private Redis that a fault test may stop and start at will.

Each runs from Debian's own binaries on a free port of 127.0.0.1, with its data in a
temporary directory, the way tests/mail/dovecot.py runs its dovecot: nothing is shared
with the PostgreSQL and Redis the rest of the suite uses. As root, PostgreSQL refuses
to run: initdb and the server then run as the `postgres` user (runuser), in a directory
that user owns.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.servers import free_port

# Bounds on waiting for a server to start or stop; not speed tests.
START_WAIT = 60
STOP_WAIT = 30

POSTGRES_MISSING = (
    "initdb/pg_ctl are missing from /usr/lib/postgresql/*/bin: the fault tests start a "
    "private PostgreSQL (apt-get install postgresql; the project's machines and CI have it)"
)
REDIS_MISSING = (
    "redis-server is missing: the fault tests start a private Redis "
    "(apt-get install redis-server; the project's machines and CI have it)"
)


def postgres_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin that holds initdb and pg_ctl."""
    found = [
        Path(path).parent
        for path in glob.glob("/usr/lib/postgresql/*/bin/initdb")
        if (Path(path).parent / "pg_ctl").exists()
    ]
    if not found:
        raise FileNotFoundError(POSTGRES_MISSING)
    return max(found, key=lambda path: int(path.parent.name.split(".")[0]))


def redis_server_path() -> str:
    path = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(path).exists():
        raise FileNotFoundError(REDIS_MISSING)
    return path


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


class PrivatePostgres:
    """initdb into a temporary directory, then start(), stop() and start() again on the
    same port and data; remove() at the end. `url` names the database `beacon`."""

    def __init__(self) -> None:
        self.bin = postgres_bin_dir()
        self.port = free_port()
        # Not pytest's tmp_path: the server's unix socket lives here (108-character limit),
        # and the postgres user must be able to reach it.
        self.dir = Path(tempfile.mkdtemp(prefix="beacon-pg-"))
        self.data = self.dir / "data"
        self.log_path = self.dir / "postgres.log"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.dir, account.pw_uid, account.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",  # a scratch cluster: nothing to keep after a crash of the machine
            "--no-instructions",
        )
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/beacon"
        self.stops = 0

    def _run(self, program: str, *args: str) -> str:
        result = subprocess.run(
            [*self._as_user, str(self.bin / program), *args],
            capture_output=True,
            text=True,
            timeout=START_WAIT,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"{program} {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}\n{self.log()}"
            )
        return result.stdout

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-o", options,
            "-w", "-t", str(START_WAIT), "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: "fast" ends every session at once (what a failover or a
        restart does to a client), "immediate" is a crash."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", str(STOP_WAIT), "stop")
        self.stops += 1

    @property
    def running(self) -> bool:
        status = subprocess.run(
            [*self._as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True,
        )
        return status.returncode == 0

    def create_database(self, name: str = "beacon") -> None:
        with contextlib.closing(self.connect("postgres")) as conn:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')

    def connect(self, database: str = "beacon"):
        """A psycopg connection, autocommit; close it when done."""
        conn = psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, connect_timeout=5
        )
        conn.autocommit = True
        return conn

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with contextlib.closing(self.connect()) as conn, conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def log(self) -> str:
        if not self.log_path.exists():
            return ""
        return f"--- postgres.log\n{self.log_path.read_text(errors='replace')[-4000:]}"

    def remove(self) -> None:
        if self.data.exists() and self.running:
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """redis-server without persistence on a free port; start(), stop(), start() again."""

    def __init__(self) -> None:
        self.executable = redis_server_path()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="beacon-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.stops = 0

    def start(self) -> None:
        log = (self.dir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                self.executable,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + START_WAIT
        while not _answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"redis-server did not start on {self.port}:\n{self.log()}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self.stops += 1

    def log(self) -> str:
        path = self.dir / "redis.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
