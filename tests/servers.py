"""An ASGI server process serving this test's database, for tests that need real websockets
over the network (the live_server fixture serves HTTP only): uvicorn as deployed
(config/web.py), or daphne."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
# Bounds on waiting for the process to start or stop; not speed tests.
START_WAIT = 60
STOP_WAIT = 10

# The server process: the test settings (or a module built on them), but this test's
# secret key (sessions are signed with it), channel-layer prefix and cache prefix (each
# process would draw its own otherwise; production processes share both: presence counts
# and rate limits live there).
SERVE = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.pop("BEACON_TEST_SETTINGS_MODULE")
import django
django.setup()
from django.conf import settings
settings.SECRET_KEY = os.environ.pop("BEACON_TEST_SECRET_KEY")
settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = os.environ["BEACON_TEST_LAYER_PREFIX"]
settings.CACHES["default"]["KEY_PREFIX"] = os.environ["BEACON_TEST_CACHE_PREFIX"]
import json
for name, value in json.loads(os.environ.get("BEACON_TEST_SETTINGS", "{}")).items():
    setattr(settings, name, value)  # production's value where a test needs it
if sys.argv[2] == "uvicorn":
    from config.web import serve
    serve("config.asgi:application", "127.0.0.1", int(sys.argv[1]))
else:
    from daphne.cli import CommandLineInterface
    CommandLineInterface().run(["-b", "127.0.0.1", "-p", sys.argv[1], "config.asgi:application"])
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def current_database_url() -> str:
    """This test's database (the test database, not the one named in DATABASE_URL)."""
    db = connection.settings_dict
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


class AsgiServer:
    """Start with AsgiServer(), then wait_ready(); stop() before the test database goes."""

    def __init__(
        self,
        settings_module: str = "config.settings.test",
        *,
        port: int | None = None,
        settings_overrides: dict | None = None,
        server: str = "uvicorn",
        **extra_env: str,
    ) -> None:
        # `port`: to start a server again where one was stopped (its clients reconnect).
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        env = {
            **os.environ,
            "DATABASE_URL": current_database_url(),
            "BEACON_TEST_SECRET_KEY": settings.SECRET_KEY,
            "BEACON_TEST_LAYER_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
            "BEACON_TEST_CACHE_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
            "BEACON_TEST_SETTINGS_MODULE": settings_module,
            "BEACON_TEST_SETTINGS": json.dumps(settings_overrides or {}),
            **extra_env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(self.port), server],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server on {self.port} stopped:\n{self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"server on {self.port} did not start:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> str:
        """Stop the process; returns the end of its log."""
        self.process.terminate()
        try:
            self.process.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        output = self.output()
        self.log.close()
        return output
