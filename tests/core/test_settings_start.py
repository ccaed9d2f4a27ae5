"""Production never starts as local by accident, nor without what it needs; `make run`
points emailed links at the address it serves."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from core.management.commands import run_portal

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "support.example.com",
    "BEACON_SITE_URL": "https://support.example.com",
    "EMAIL_URL": "smtp://mail.example.com:587",
    "DATABASE_URL": "postgres://beacon@127.0.0.1:5432/beacon",  # never connected to
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "BEACON_DOCUMENT_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
}
# What each server loads first; both must reach the settings.
ENTRY_POINTS = {
    "asgi": "import config.asgi",
    "celery": "from config.celery import app; app.conf.broker_url",
}


def start(entry_point: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Load a server's entry point in a fresh process with only `env` of Beacon's variables."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "BEACON_", "EMAIL_", "DATABASE_", "REDIS_"))
    }
    script = f"{ENTRY_POINTS[entry_point]}; from django.conf import settings; print(settings.DEBUG, settings.SITE_URL)"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_settings_start_without_a_settings_module_is_production_and_names_what_is_missing(
    entry_point,
):
    # when: the server starts with nothing set
    result = start(entry_point)
    # then: it stops, naming every variable production needs, in one message
    assert result.returncode != 0
    assert "config.settings.production needs these environment variables" in result.stderr
    for name in PRODUCTION:
        assert f"  {name}: " in result.stderr, name


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_settings_start_with_production_variables_is_production(entry_point):
    result = start(entry_point, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "https://support.example.com"]


def test_settings_start_refuses_a_site_url_that_is_not_an_address():
    result = start("asgi", **(PRODUCTION | {"BEACON_SITE_URL": "support.example.com"}))
    assert result.returncode != 0
    assert "BEACON_SITE_URL must be the address people open" in result.stderr


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", "9000", "http://127.0.0.1:9000"),
        ("0.0.0.0", "8000", "http://127.0.0.1:8000"),
        ("localhost", "8080", "http://localhost:8080"),
        ("::", "8000", "http://[::1]:8000"),
    ],
)
def test_settings_start_make_run_links_point_at_the_address_it_serves(host, port, url):
    assert run_portal.local_site_url(host, port) == url


class _Started(Exception):
    pass


def test_settings_start_make_run_gives_its_parts_its_settings_and_site_url(monkeypatch):
    # given: no site URL set, and parts that only note what they inherit
    monkeypatch.delenv("BEACON_SITE_URL", raising=False)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", os.environ["DJANGO_SETTINGS_MODULE"])
    monkeypatch.setattr(run_portal.signal, "signal", lambda *args: None)
    inherited = {}

    def start(part: run_portal.Part) -> None:
        inherited.update(
            site=os.environ["BEACON_SITE_URL"], settings=os.environ["DJANGO_SETTINGS_MODULE"]
        )
        raise _Started

    monkeypatch.setattr(run_portal.Part, "start", start)
    # when
    with pytest.raises(_Started):
        call_command("run_portal", host="127.0.0.1", port="9123")
    # then
    assert inherited == {"site": "http://127.0.0.1:9123", "settings": "config.settings.test"}
