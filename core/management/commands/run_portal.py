from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from config.env import VAR_DIR


class Command(BaseCommand):
    help = "Run the ASGI server (HTTP + websockets), a Celery worker and Celery beat; Ctrl-C stops all."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def _commands(self, host: str, port: str) -> dict[str, list[str]]:
        bin_dir = Path(sys.executable).parent
        return {
            "web": [str(bin_dir / "daphne"), "-b", host, "-p", port, "config.asgi:application"],
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

    def handle(self, *args, host: str, port: str, **options):
        processes = {
            name: subprocess.Popen(cmd) for name, cmd in self._commands(host, port).items()
        }
        self._print_banner(host, port)
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping:
            exited = [name for name, proc in processes.items() if proc.poll() is not None]
            if exited:
                self.stderr.write(f"{', '.join(exited)} stopped; stopping the rest.")
                break
            time.sleep(0.5)
        for proc in processes.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in processes.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
