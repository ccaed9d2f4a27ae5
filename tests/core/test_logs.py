"""What an operator reads: one line per event with the request id, no traceback for an
ordinary refusal, JSON lines in production (core/logs.py, settings.LOGGING)."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.test import override_settings

from core.logs import ContextFilter, JsonFormatter

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the console handler of settings.LOGGING writes, while the test runs."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ContextFilter) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_logs_an_ordinary_403_is_one_line_with_the_request_id_and_no_traceback(
    client, customer, log_output
):
    # given: a customer, who may not open the agents' console
    client.force_login(customer)
    # when
    response = client.get("/console/")
    # then: one line says so, with the id the response carries, and no traceback
    assert response.status_code == 403
    request_id = response["X-Request-ID"]
    lines = [line for line in log_output.getvalue().splitlines() if "/console/" in line]
    assert len(lines) == 1, log_output.getvalue()
    assert "Forbidden" in lines[0] and f"[{request_id}]" in lines[0]
    assert "Traceback" not in log_output.getvalue()


def test_logs_a_server_error_keeps_its_traceback():
    # Only a client's error (4xx) loses it: a 500 is what the traceback is for.
    def record(status_code: int) -> logging.LogRecord:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            entry = logging.LogRecord(
                "django.request", logging.ERROR, "", 0, "x", (), sys.exc_info()
            )
        entry.status_code = status_code
        ContextFilter().filter(entry)
        return entry

    assert record(500).exc_info is not None
    assert record(403).exc_info is None


def test_logs_request_id_is_made_when_a_client_sends_one(client):
    # A client's own X-Request-ID is not believed (it could name another request).
    response = client.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_REQUEST_ID="chosen-by-client")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@override_settings(BEACON_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_logs_request_id_of_the_proxy_is_kept_and_logged(client, customer, log_output):
    # given: nginx's $request_id on a request it passes on
    client.force_login(customer)
    proxy_id = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"
    # when
    response = client.get("/console/", REMOTE_ADDR=PROXY, HTTP_X_REQUEST_ID=proxy_id)
    # then: the same id in the answer and on the log line
    assert response["X-Request-ID"] == proxy_id
    assert f"[{proxy_id}]" in log_output.getvalue()


def test_logs_request_id_is_on_every_answer_even_the_probes(client):
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/ping")["X-Request-ID"])


def test_logs_json_formatter_writes_one_object_a_line():
    record = logging.LogRecord("beacon", logging.WARNING, "", 0, "two\nlines %s", ("here",), None)
    record.request_id = "abc"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "two\nlines here" and entry["request_id"] == "abc"
    assert entry["level"] == "WARNING" and entry["logger"] == "beacon" and entry["time"]


def test_logs_production_settings_write_json_lines():
    # when: a process with the production settings logs a line
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "support.example.com",
        "BEACON_SITE_URL": "https://support.example.com",
        "EMAIL_URL": "smtp://mail.example.com:587",
        "DATABASE_URL": "postgres://beacon@127.0.0.1:5432/beacon",  # never connected to
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "BEACON_DOCUMENT_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }
    env.pop("BEACON_LOG_FORMAT", None)
    script = (
        "import django, logging; django.setup(); logging.getLogger('beacon').warning('hi %s', 1)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    # then: stderr is that line, as JSON
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert {"level": "WARNING", "logger": "beacon", "message": "hi 1"}.items() <= entries[
        -1
    ].items()
