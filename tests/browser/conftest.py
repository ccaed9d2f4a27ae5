"""Chromium driven through Playwright against pytest-django's live server.

Debian's /usr/bin/chromium is used as is: never run `playwright install` here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.db_settle import wait_for_other_connections_to_settle

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
# from a thread with a running loop unless told this is fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _server_settled_before_flush(transactional_db):
    """After a test's pages close (their fixtures end first), wait until the live server
    has finished what their closing sockets started (tests.db_settle)."""
    yield
    wait_for_other_connections_to_settle()


def pytest_collection_modifyitems(items):
    """Every test in this folder drives a browser."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


# Per module, not per session: Playwright's sync API keeps an event loop running while it
# is open, and async tests (websocket consumers) cannot start inside a running loop.
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        # Fail, never skip: `make test` installs it, and a skipped browser suite would look
        # green while testing nothing.
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def locale() -> str:
    """The browser's language (Accept-Language); parametrize `locale` to change it."""
    return "en-US"


def _new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server, locale):
    context, page = _new_page(browser, live_server, viewport=DESKTOP, locale=locale)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server, locale):
    context, page = _new_page(
        browser,
        live_server,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale=locale,
    )
    yield page
    context.close()
