"""`make run`: the ASGI server, a Celery worker and Celery beat, kept running.

A part that dies (killed by the OOM killer, a crash, its database gone at start) is
started again after a backoff: 1 s, doubling, at most 60 s, counted over the last 10
minutes. After 5 restarts in that window the command says loudly that the part keeps
dying and goes on trying every 60 s; it never gives up on a part. Every cause seen here
passes on its own (PostgreSQL or Redis restarting, memory pressure, a port still held),
and a portal that gave up on its worker would go on answering pages, and /healthz, while
no email, security ticket or sweep ran: worse than a line in the log every minute.
Each part runs in a process group of its own, so Ctrl-C reaches this command only,
which stops all three (SIGTERM, then SIGKILL after 10 s; a second Ctrl-C kills at once),
and a dead part's leftover children (a worker's pool) go with it.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from config.env import VAR_DIR

RESTART_FIRST_DELAY = 1.0
RESTART_MAX_DELAY = 60.0
RESTART_WINDOW = 600.0  # seconds over which restarts are counted
RESTART_BURST = 5  # restarts in the window after which the delay is the longest
STOP_WAIT = 10.0
POLL = 0.2


@dataclass
class Part:
    """One supervised process."""

    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    restarts: collections.deque[float] = field(default_factory=collections.deque)
    start_at: float = 0.0  # when to start it again (time.monotonic()), once it died

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            process_group=0,  # its own group: Ctrl-C is ours to pass on, leftovers ours to end
        )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, sig: int) -> None:
        """Send `sig` to the part's whole process group (itself and its children)."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass  # nothing left in the group

    def next_delay(self, now: float) -> tuple[float, int]:
        """Record a restart; the wait before it and how many restarts the window holds."""
        while self.restarts and self.restarts[0] < now - RESTART_WINDOW:
            self.restarts.popleft()
        self.restarts.append(now)
        count = len(self.restarts)
        if count > RESTART_BURST:
            return RESTART_MAX_DELAY, count
        return min(RESTART_FIRST_DELAY * 2 ** (count - 1), RESTART_MAX_DELAY), count


def local_site_url(host: str, port: str) -> str:
    """The address a browser on this machine opens for `--host`/`--port`: emailed links
    point there. A wildcard bind is reached by the loopback address."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def exit_reason(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


class Command(BaseCommand):
    help = (
        "Run the ASGI server (HTTP + websockets), a Celery worker and Celery beat; a part "
        "that dies is restarted with backoff; Ctrl-C stops all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def _commands(self, host: str, port: str) -> dict[str, list[str]]:
        bin_dir = Path(sys.executable).parent
        return {
            "web": [sys.executable, "-m", "config.web", "--host", host, "--port", port],
            "worker": [
                str(bin_dir / "celery"),
                "-A",
                "config",
                "worker",
                "-l",
                "warning",
                "--concurrency",
                "2",
            ],
            "beat": [
                str(bin_dir / "celery"),
                "-A",
                "config",
                "beat",
                "-l",
                "warning",
                "-s",
                str(VAR_DIR / "celerybeat-schedule"),
            ],
        }

    def _print_banner(self, host: str, port: str) -> None:
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        broker = "redis" if settings.REDIS_URL else "filesystem (embedded)"
        self.stdout.write(
            f"\nBeacon on http://{host}:{port}/  (database: {database}, broker: {broker})"
        )
        credentials = VAR_DIR / "demo_credentials.json"
        if credentials.exists():
            for email, password in json.loads(credentials.read_text()).items():
                self.stdout.write(f"  sign in as {email:<26} password {password}")
        self.stdout.write(
            "  admin: /admin/   API docs: /api/docs/   health: /healthz\nCtrl-C stops everything.\n"
        )

    def _log(self, text: str) -> None:
        self.stderr.write(f"[{datetime.now():%H:%M:%S}] run_portal: {text}")

    def handle(self, *args, host: str, port: str, **options):
        # What the parts inherit: these settings (manage.py put them in the environment;
        # uvicorn and Celery would otherwise start as production) and, unless set, links
        # in emails to the address served here.
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        os.environ.setdefault("BEACON_SITE_URL", local_site_url(host, port))
        parts = [Part(name, command) for name, command in self._commands(host, port).items()]
        signals = {"count": 0}

        def stop(signum, frame) -> None:
            signals["count"] += 1

        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, stop)
        try:
            for part in parts:
                part.start()
                self._log(f"{part.name} started (pid {part.process.pid})")
            self._print_banner(host, port)
            while not signals["count"]:
                self._supervise(parts)
                time.sleep(POLL)
        finally:
            self._stop_all(parts, signals)

    def _supervise(self, parts: list[Part]) -> None:
        now = time.monotonic()
        for part in parts:
            if part.process is not None and not part.running:
                dead = part.process
                part.signal_group(signal.SIGKILL)  # its children, if any outlived it
                part.process = None
                delay, count = part.next_delay(now)
                part.start_at = now + delay
                self._log(
                    f"{part.name} (pid {dead.pid}) stopped: {exit_reason(dead.returncode)}; "
                    f"restarting it in {delay:g} s "
                    f"(restart {count} in the last {RESTART_WINDOW / 60:g} min)"
                )
                if count == RESTART_BURST + 1:
                    self._log(
                        f"{part.name} keeps dying ({count} restarts in "
                        f"{RESTART_WINDOW / 60:g} min): see its output above; still "
                        f"trying, every {RESTART_MAX_DELAY:g} s"
                    )
            elif part.process is None and now >= part.start_at:
                part.start()
                self._log(f"{part.name} started (pid {part.process.pid})")

    def _stop_all(self, parts: list[Part], signals: dict[str, int]) -> None:
        """SIGTERM each part, wait for all; SIGKILL what is left after STOP_WAIT s or at
        a second Ctrl-C. Each group is killed at the end: no child outlives the command."""
        pressed = signals["count"]
        running = [part for part in parts if part.running]
        if running:
            self._log("stopping " + ", ".join(part.name for part in running))
        for part in running:
            part.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT
        while any(part.running for part in running):
            if time.monotonic() > deadline or signals["count"] > pressed:
                self._log("killing " + ", ".join(p.name for p in running if p.running))
                break
            time.sleep(POLL)
        for part in parts:
            part.signal_group(signal.SIGKILL)
            if part.process is not None:
                part.process.wait()
