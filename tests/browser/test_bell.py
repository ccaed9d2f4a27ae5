"""The staff bell in Chromium: it rings without a reload when a ticket is assigned, leads to
the ticket, and is cleared with "Mark all as read".

The bell needs websockets, which pytest-django's live server (WSGI) cannot serve, so these
tests run the real ASGI application under daphne in a process of its own, the way Channels'
ChannelsLiveServerTestCase does. That process shares the test database and the Redis
channel layer with this one; the embedded defaults (in-memory SQLite and channel layer)
cannot be shared, so without DATABASE_URL and REDIS_URL the tests are skipped.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module

import pytest
from daphne.testing import DaphneProcess
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connections
from playwright.sync_api import Browser, Page, expect

import notifications
from accounts.models import Role, User
from tests.browser.test_ticket_flow import (
    PASSWORD,
    SUBJECT,
    make_person,
    off_the_browser_loop,
    withdrawal_request,
)
from tickets import services


def asgi_application():
    """Built in the server process: the project's ASGI app, static files included."""
    from config.asgi import application

    return ASGIStaticFilesHandler(application)


def after_fork() -> None:
    """In the server process, before it serves: drop thread pools copied from this process.

    A fork copies asgiref's executor for thread-sensitive calls but not its thread, so
    once an earlier test (a consumer test, say) has used it, every database call of a
    consumer would wait forever for a thread that is not there.
    """
    from asgiref.sync import SyncToAsync

    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)


def _shared_backends_or_skip() -> None:
    database = settings.DATABASES["default"]
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    reason = ""
    if not database["ENGINE"].endswith("postgresql"):
        reason = "the ASGI server process needs PostgreSQL (set DATABASE_URL)"
    elif layer.startswith("channels.layers.InMemory"):
        reason = "the ASGI server process needs the Redis channel layer (set REDIS_URL)"
    elif multiprocessing.get_start_method() != "fork":
        # A spawned process would import the test settings afresh, under another run name.
        reason = "the ASGI server process is forked, to share this run's settings"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def asgi_server(transactional_db) -> Iterator[str]:
    """daphne serving HTTP and websockets on a free port; its base URL."""
    _shared_backends_or_skip()
    # The forked process must not share this process's database connection.
    connections.close_all()
    server = DaphneProcess("127.0.0.1", asgi_application, setup=after_fork)
    server.start()
    while not server.ready.wait(timeout=1):  # a start-up check, not a time limit
        if not server.is_alive():
            reported = "" if server.errors.empty() else server.errors.get()[1]
            raise RuntimeError(f"daphne did not start. {reported}")
    yield f"http://127.0.0.1:{server.port.value}"
    server.terminate()
    server.join()


@pytest.fixture
def seeded_types(transactional_db) -> None:
    """The request types a migration seeds, again after earlier live tests flushed them
    (see tests/browser/test_ticket_flow.py)."""
    import_module("tickets.migrations.0002_ticket_types").create(django_apps, None)


@pytest.fixture
def sign_in(browser: Browser, asgi_server: str) -> Iterator[Callable[[User], Page]]:
    """A fresh browser context per person on the ASGI server, signed in through the form."""
    contexts = []

    def open_for(user: User) -> Page:
        context = browser.new_context(
            base_url=asgi_server, viewport={"width": 1280, "height": 900}, locale="en-US"
        )
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.locator("input[name=login]").fill(user.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[name=password]").press("Enter")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    yield open_for
    for context in contexts:
        context.close()


def test_bell_rings_live_leads_to_the_ticket_and_clears(sign_in, seeded_types):
    # given: two new requests; an agent with the console open and the bell's panel open
    customer = make_person("alice@example.test", first_name="Alice")
    agent = make_person("agent@example.test", role=Role.AGENT, first_name="Omar")
    supervisor = make_person("supervisor@example.test", role=Role.SUPERVISOR, first_name="Mei")
    first, second = off_the_browser_loop(
        lambda: (withdrawal_request(customer), withdrawal_request(customer))
    )
    desk = sign_in(agent)
    desk.goto("/console/")
    bell = desk.locator("[data-bell]")
    button = bell.get_by_role("button", name=re.compile(r"^Notifications"))
    badge = bell.locator("[data-bell-count]")
    # The socket is up (so what follows comes as a push) and has said there is nothing unread.
    expect(bell).to_have_attribute("data-connection", "open")
    expect(button).to_have_accessible_name("Notifications, 0 unread")
    expect(badge).to_be_hidden()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    panel = desk.get_by_role("region", name="Notifications")
    expect(panel.get_by_text("No notifications yet.")).to_be_visible()

    # when: the supervisor assigns both requests to the agent
    assign = services.ticket_assign
    off_the_browser_loop(lambda: assign(actor=supervisor, ticket=first, assignee=agent))

    # then: without a reload, the count goes up and the item is on top of the open panel
    expect(button).to_have_accessible_name("Notifications, 1 unread")
    expect(badge).to_have_text("1")
    items = panel.get_by_role("listitem")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text(f"Unread Assigned to you: {first.number}")
    expect(panel.get_by_text("No notifications yet.")).to_be_hidden()

    off_the_browser_loop(lambda: assign(actor=supervisor, ticket=second, assignee=agent))
    expect(badge).to_have_text("2")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text(f"Assigned to you: {second.number}")

    # when: the agent follows the first one
    panel.get_by_role("link", name=f"Assigned to you: {first.number}").click()

    # then: the ticket opens in the console, and that item is read
    expect(desk).to_have_url(re.compile(rf"/console/tickets/{first.number}/$"))
    expect(desk.locator("h1.ticket-title")).to_have_text(SUBJECT)
    expect(button).to_have_accessible_name("Notifications, 1 unread")
    button.click()
    expect(items).to_have_count(2)
    expect(panel.get_by_role("listitem").filter(has_text=first.number)).not_to_contain_text(
        "Unread"
    )
    expect(panel.get_by_role("listitem").filter(has_text=second.number)).to_contain_text("Unread")

    # when: "Mark all as read"
    panel.get_by_role("button", name="Mark all as read").click()

    # then: the count is gone, on the page and in the database, and no item says unread;
    # it went over the socket: the page did not reload (the panel is still open)
    expect(button).to_have_accessible_name("Notifications, 0 unread")
    expect(badge).to_be_hidden()
    expect(panel.get_by_text("Unread", exact=True)).to_have_count(0)
    expect(panel).to_be_visible()
    expect(desk.locator(".messages .message")).to_have_count(0)  # no flash of a reload
    assert notifications.bell_unread_count(user=agent) == 0


def test_bell_is_a_link_to_the_page_without_javascript(browser, asgi_server):
    # given: an agent whose browser runs no scripts
    agent = make_person("agent@example.test", role=Role.AGENT)
    context = browser.new_context(base_url=asgi_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(agent.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    # when
    page.get_by_role("link", name="Notifications").click()
    # then
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_test_id("unread-summary")).to_have_text("0 unread")
    context.close()
