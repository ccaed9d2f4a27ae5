"""Every setting names the pages that may open the websockets (config/origins.py), never
"every host", though local and test settings allow every host for pages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.origins import origin_allowed, origins_for_hosts

ROOT = Path(__file__).resolve().parents[2]
FOREIGN = ("http://evil.example", "https://evil.example", "null", "")


def origins_of(module: str, **env: str) -> list[str]:
    """settings.BEACON_WEBSOCKET_ORIGINS as `module` computes it in a fresh process."""
    code = (
        "import json, os, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.BEACON_WEBSOCKET_ORIGINS))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BEACON_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "support.example.com,.beacon.example",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://help.example.org",
    "BEACON_SITE_URL": "https://support.example.com",
    "DATABASE_URL": "postgres://beacon@127.0.0.1:5432/beacon",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "BEACON_DOCUMENT_KEYS": "VGhpcyBpcyBub3QgYSByZWFsIGtleSBidXQgMzIgYnk=",
    "EMAIL_URL": "smtp://mail.example.com:587",
}


@pytest.mark.parametrize(
    ("module", "env", "own"),
    [
        ("config.settings.local", {}, ["http://127.0.0.1:8000", "http://localhost:8000"]),
        (
            "config.settings.local",
            {"BEACON_WEBSOCKET_ORIGINS": "http://127.0.0.1:9000"},
            ["http://127.0.0.1:8000", "http://127.0.0.1:9000"],
        ),
        ("config.settings.test", {}, ["http://testserver", "http://127.0.0.1:51234"]),
        (
            "config.settings.production",
            PRODUCTION_ENV,
            [
                "https://support.example.com",
                "https://beacon.example",
                "https://chat.beacon.example",
                "https://help.example.org",
            ],
        ),
    ],
)
def test_each_setting_lets_its_own_pages_in_and_no_other(module, env, own):
    allowed = origins_of(module, **env)
    assert "*" not in allowed
    for origin in own:
        assert origin_allowed(origin, allowed), origin
    for origin in FOREIGN:
        assert not origin_allowed(origin, allowed), origin


def test_production_serves_the_sockets_over_https_only():
    allowed = origins_of("config.settings.production", **PRODUCTION_ENV)
    assert not origin_allowed("http://support.example.com", allowed)
    assert not origin_allowed("https://support.example.com:8443", allowed)


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://a.example.com", True),
        ("https://example.com", True),
        ("https://A.Example.COM", True),
        ("https://evilexample.com", False),
        ("https://example.com.evil.test", False),
        ("http://a.example.com", False),
        ("https://example.com:444", False),
        ("https://example.com/path", False),
        ("https://example.com:notaport", False),
        ("https://[::1", False),
    ],
)
def test_origin_allowed_matches_scheme_host_and_port(origin, allowed):
    patterns = origins_for_hosts([".example.com", "*"], schemes=("https",))
    assert patterns == ["https://example.com", "https://*.example.com"]
    assert origin_allowed(origin, patterns) is allowed
