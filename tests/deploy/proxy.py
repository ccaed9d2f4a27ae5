"""Beacon as deployed on one machine: nginx with deploy/nginx/ in front of web processes,
and Celery workers, each a process of its own on the test database and Redis.

nginx is Debian's (/usr/sbin/nginx, the package the proxy image installs), started by the
image's own entrypoint (deploy/nginx/entrypoint.sh renders the template from the
environment, checks it and runs nginx in the foreground) on free ports of 127.0.0.1, with
a self-signed certificate made here. As in the image, it runs as www-data: when the tests
run as root, its directory is handed to that user.

The web processes run tests/deploy/web_app.py (Beacon's ASGI application, named in a
response header, plus an echo of what reached it); the workers run `celery worker` on the
test run's queue, mailing an SMTP sink. Nothing here skips: without nginx the tests fail
and say what to install (scripts/test-host.sh installs it).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

from tests.servers import current_database_url, free_port

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "nginx" / "entrypoint.sh"
NGINX = "/usr/sbin/nginx"
PROXY_USER = "www-data"  # the image's user (deploy/nginx/Dockerfile)
# Bounds on waiting for a process to start or stop, or for something to arrive; not speed tests.
WAIT = 60
SERVER_HEADER = "x-beacon-test-server"
ECHO = "/__proxy_test__/echo"

NGINX_MISSING = (
    "nginx or envsubst is missing: the proxy tests run Debian's nginx with deploy/nginx/ "
    "(apt-get install nginx gettext-base; make test installs them)"
)


def nginx_missing() -> str | None:
    if Path(NGINX).exists() and shutil.which("envsubst"):
        return None
    return NGINX_MISSING


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, valid for a day; returns (cert, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "tls.crt", folder / "tls.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _wait_for_port(port: int, process: subprocess.Popen, what: str, log) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} stopped at start:\n{log()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} did not start:\n{log()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stop_all(started: list) -> None:
    """Stop Proxy, ProxiedWeb and Worker objects together (each takes a few seconds to
    finish what it holds), then clean up after each."""
    for each in started:
        if each.process.poll() is None:
            each.process.terminate()
    for each in started:
        each.stop()


class Proxy:
    """deploy/nginx/entrypoint.sh on free ports in front of `upstreams` (ports of 127.0.0.1)."""

    def __init__(self, upstreams: list[int], *, https_port: int | None = None) -> None:
        # Not pytest's tmp_path: www-data must reach it (a root-owned 0700 parent would stop it).
        self.dir = Path(tempfile.mkdtemp(prefix="beacon-proxy-"))
        self.cert, key = self_signed_certificate(self.dir)
        self.https_port = https_port or free_port()
        self.http_port = free_port()
        self.origin = f"https://127.0.0.1:{self.https_port}"
        self.url = self.origin
        self.log_path = self.dir / "nginx.log"
        self.log_path.touch()
        # The shipped files, copied where www-data can read them: the checkout may sit under
        # a root-only folder (a clone in `mktemp -d`), as the image's copy never does.
        shipped = self.dir / "nginx"
        shutil.copytree(ENTRYPOINT.parent, shipped, ignore=shutil.ignore_patterns("tls"))
        run_as: dict = {}
        if os.geteuid() == 0:
            account = pwd.getpwnam(PROXY_USER)
            for path in [self.dir, *self.dir.rglob("*")]:
                os.chown(path, account.pw_uid, account.pw_gid)
            run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        env = {
            # nginx is in /usr/sbin, which a user's PATH may lack
            "PATH": f"{os.environ.get('PATH', '/usr/bin:/bin')}:/usr/sbin:/sbin",
            "BEACON_PROXY_SERVER_NAME": "localhost",
            "BEACON_PROXY_UPSTREAMS": " ".join(f"127.0.0.1:{port}" for port in upstreams),
            "BEACON_PROXY_HTTP_PORT": str(self.http_port),
            "BEACON_PROXY_HTTPS_PORT": str(self.https_port),
            "BEACON_TLS_CERT": str(self.cert),
            "BEACON_TLS_KEY": str(key),
            "BEACON_PROXY_DIR": str(self.dir / "prefix"),
        }
        with self.log_path.open("ab") as log:
            # The log file is www-data's: nginx reopens /dev/stdout by name.
            self.process = subprocess.Popen(
                ["sh", str(shipped / ENTRYPOINT.name)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                **run_as,
            )

    def wait_ready(self) -> None:
        _wait_for_port(self.https_port, self.process, "nginx", self.output)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def config(self) -> str:
        return (self.dir / "prefix" / "conf" / "nginx.conf").read_text()

    def stop(self) -> None:
        _stop(self.process)
        shutil.rmtree(self.dir, ignore_errors=True)


def _shared_env(**extra: str) -> dict:
    """What a Beacon process needs to share this test run's database, Redis names and key."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DATABASE_URL": current_database_url(),
        "BEACON_TEST_SECRET_KEY": settings.SECRET_KEY,
        "BEACON_TEST_LAYER_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
        "BEACON_TEST_CACHE_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
        "BEACON_TEST_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


WEB = """
import sys
from config.web import serve
serve("tests.deploy.web_app:application", "127.0.0.1", int(sys.argv[1]))
"""


class ProxiedWeb:
    """A web process (as config/web.py runs one) of tests/deploy/web_app.py, named `name`,
    for the proxy at `origin`."""

    def __init__(self, name: str, *, port: int, origin: str, app_settings: dict | None = None):
        self.name, self.port = name, port
        self.log = tempfile.TemporaryFile()
        env = _shared_env(
            BEACON_TEST_SERVER_NAME=name,
            BEACON_TEST_PROXY_ORIGIN=origin,
            BEACON_TEST_SETTINGS=json.dumps(app_settings or {}),
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", WEB, str(port)],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        _wait_for_port(self.port, self.process, f"web {self.name}", lambda: self.output()[-6000:])

    def sockets_accepted(self, path: str) -> int:
        """How many websockets at `path` this process accepted (web_app.py prints each)."""
        return self.output().count(f'"WSCONNECT {path}"')

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        _stop(self.process)
        self.log.close()


WORKER = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
import django
django.setup()
from django.conf import settings
from config import env
settings.SECRET_KEY = os.environ["BEACON_TEST_SECRET_KEY"]
settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = os.environ["BEACON_TEST_LAYER_PREFIX"]
settings.CACHES["default"]["KEY_PREFIX"] = os.environ["BEACON_TEST_CACHE_PREFIX"]
settings.CELERY_TASK_DEFAULT_QUEUE = os.environ["BEACON_TEST_QUEUE"]
for name, value in env.email_settings(os.environ["BEACON_TEST_EMAIL_URL"]).items():
    setattr(settings, name, value)
# A line per task run with its result (settings.LOGGING keeps them quiet): the tests read
# what each worker did from it. config.celery applies settings.LOGGING at the worker's start.
settings.LOGGING = {
    **settings.LOGGING,
    "loggers": {**settings.LOGGING.get("loggers", {}), "celery.app.trace": {"level": "INFO"}},
}
from config.celery import app
app.worker_main(["worker", "-l", "info", "-P", "solo", "-Q", os.environ["BEACON_TEST_QUEUE"],
                 "-n", sys.argv[1] + "@%h", "--without-gossip", "--without-mingle",
                 "--without-heartbeat"])
"""


class Worker:
    """`celery worker` (one process, the solo pool) on this run's queue, mailing `email_url`."""

    def __init__(self, name: str, *, email_url: str) -> None:
        self.name = name
        self.log_path = Path(tempfile.mkstemp(prefix=f"beacon-{name}-", suffix=".log")[1])
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", WORKER, name],
                cwd=ROOT,
                env=_shared_env(BEACON_TEST_EMAIL_URL=email_url),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if " ready." in self.output():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"worker {self.name} did not start:\n{self.output()[-6000:]}")

    def stop(self) -> None:
        _stop(self.process)
        self.log_path.unlink(missing_ok=True)
