"""Every page carries the Content-Security-Policy, and the production settings pass
`manage.py check --deploy` without a warning."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from accounts.models import Role, User
from accounts.services import user_role_grant

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
# What the policy refuses in a page: inline scripts and handlers, inline styles.
INLINE = re.compile(
    r"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+=|javascript:", re.I
)
COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)


def directives(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy", "")
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


@pytest.fixture
def customer_client(client):
    client.force_login(User.objects.create_user("customer@example.test", PASSWORD))
    return client


@pytest.fixture
def agent_client(client):
    agent = User.objects.create_user("agent@example.test", PASSWORD)
    user_role_grant(user=agent, role=Role.AGENT)
    client.force_login(agent)
    return client


def assert_strict_policy(response) -> None:
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_security_headers_help_centre_home_and_article_have_the_policy(client, article_factory):
    # given
    article = article_factory(slug="withdrawal-delayed", title="Withdrawal delayed")
    # when
    home = client.get("/")
    page = client.get(f"/help/articles/{article.slug}/")
    # then
    for response in (home, page):
        assert_strict_policy(response)
        assert directives(response)["style-src"] == ["'self'"]
        assert directives(response)["img-src"] == ["'self'", "data:"]
    assert "Withdrawal delayed" in page.content.decode()


def test_security_headers_request_form_for_a_customer_has_the_policy(customer_client):
    # when
    response = customer_client.get("/requests/new/")
    # then
    assert_strict_policy(response)
    assert directives(response)["style-src"] == ["'self'"]


def test_security_headers_agent_console_has_the_policy_and_allows_its_websocket(agent_client):
    # when
    response = agent_client.get("/console/")
    # then: console.js talks to /ws/console/ on the same host, which 'self' covers
    assert_strict_policy(response)
    assert "'self'" in directives(response)["connect-src"]
    assert "/static/js/console.js" in response.content.decode()


def test_security_headers_admin_login_has_the_policy(client):
    response = client.get("/admin/login/")
    assert_strict_policy(response)
    assert directives(response)["style-src"] == ["'self'"]


def test_security_headers_api_docs_have_the_policy_and_load_their_script_as_a_file(client):
    # when
    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")
    # then: the Swagger UI set-up is a script of our own origin, not inline
    assert_strict_policy(page)
    assert directives(page)["style-src"] == ["'self'"]
    assert '<script src="/api/docs/?script="></script>' in page.content.decode()
    assert "<style>" not in page.content.decode()
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")


def test_security_headers_browsable_api_allows_inline_styles_but_not_scripts(customer_client):
    # when
    html = customer_client.get("/api/v1/tickets/", HTTP_ACCEPT="text/html")
    json = customer_client.get("/api/v1/tickets/", HTTP_ACCEPT="application/json")
    # then: DRF's templates carry inline styles; only its HTML pages get the exception
    assert_strict_policy(html)
    assert directives(html)["style-src"] == ["'self'", "'unsafe-inline'"]
    assert_strict_policy(json)
    assert directives(json)["style-src"] == ["'self'"]


def test_security_headers_page_templates_hold_nothing_inline_the_policy_refuses():
    # given: every page template (emails are not web pages and may carry inline styles)
    templates = [
        path
        for path in (settings.BASE_DIR / "templates").rglob("*.html")
        if "email" not in path.parent.parts
    ]
    # when
    found = {
        str(path.relative_to(settings.BASE_DIR)): INLINE.findall(COMMENT.sub("", path.read_text()))
        for path in templates
    }
    # then
    assert templates
    assert {path: hits for path, hits in found.items() if hits} == {}


def check_deploy(**extra_env: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check --deploy` with the production settings and what an operator must set.

    DJANGO_* variables of this process (a developer's shell, the browser tests' conftest)
    are left out, so the production defaults are what is checked.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "support.example.com",
        "BEACON_SITE_URL": "https://support.example.com",
        "EMAIL_URL": "smtp://beacon:secret@mail.example.com:587?tls=1",
        # Required by production.py but never connected to by `check`.
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://beacon@127.0.0.1:5432/beacon",
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "BEACON_DOCUMENT_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


def test_security_headers_production_settings_pass_check_deploy():
    # when
    result = check_deploy()
    # then
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output and "ERROR" not in output


def test_security_headers_production_settings_let_an_operator_turn_hsts_off():
    # when
    result = check_deploy(DJANGO_HSTS_SECONDS="0")
    # then: it is allowed, and check --deploy says what it costs
    assert result.returncode == 0, result.stderr
    assert "security.W004" in result.stderr


def test_the_favicon_is_served_from_the_site_root(client):
    """Browsers ask for it on every page; a missing one was a 500 on the embedded SQLite."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
