"""The Content-Security-Policy in Chromium: the pages people use break none of its rules,
and their JavaScript (all in static files) still runs under it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role, User
from tests.browser.test_ticket_flow import PASSWORD, make_person


class Watched:
    """A page with what the browser said about it: CSP violations and uncaught errors."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.violations: list[str] = []
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)

    def assert_clean(self) -> None:
        assert self.violations == []
        assert self.errors == []


@pytest.fixture
def watched(browser: Browser, live_server) -> Iterator[Callable[[User | None], Watched]]:
    """A fresh browser context per person, signed in through /accounts/login/ if given."""
    contexts = []

    def open_for(user: User | None = None) -> Watched:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US"
        )
        contexts.append(context)
        seen = Watched(context.new_page())
        if user is not None:
            seen.page.goto("/accounts/login/")
            seen.page.locator("input[name=login]").fill(user.email)
            seen.page.locator("input[name=password]").fill(PASSWORD)
            seen.page.locator("input[name=password]").press("Enter")
            expect(seen.page.get_by_role("button", name="Sign out")).to_be_visible()
        return seen

    yield open_for
    for context in contexts:
        context.close()


@pytest.fixture
def seeded_types(transactional_db) -> None:
    """The request types a migration seeds (see test_ticket_flow.seeded_types)."""
    import_module("tickets.migrations.0002_ticket_types").create(django_apps, None)


def test_csp_help_centre_home_runs_its_script_without_violations(watched, article_factory):
    # given
    article_factory(slug="withdrawal-delayed", title="Withdrawal delayed")
    visitor = watched(None)
    # when
    response = visitor.page.goto("/")
    # then: base.js ran (it marks the page), and nothing was refused
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(visitor.page.locator("html")).to_have_class("js")
    # The language select never submits itself (a keyboard user's arrow key would reload
    # the page, issue 16): its Switch button stays, with or without the script.
    expect(visitor.page.get_by_role("button", name="Switch")).to_be_visible()
    visitor.assert_clean()


def test_csp_request_form_type_switch_and_suggestions_work(watched, seeded_types, article_factory):
    # given
    article_factory(slug="withdrawal-delayed", title="Withdrawal delayed")
    customer = watched(make_person("alice@example.test"))
    page = customer.page
    # when
    page.goto("/requests/new/")
    page.get_by_label("What is your request about?").select_option(label="Withdrawal problem")
    # then: htmx (without eval) swapped in the type's fields
    expect(page.get_by_label("Coin")).to_be_visible()
    # when
    page.get_by_label("Subject").press_sequentially("withdrawal")
    # then: the subject went to the suggestions as ?q= (base.js, not hx-vals="js:…")
    expect(page.locator("#suggestions").get_by_role("link")).to_contain_text("Withdrawal delayed")
    # the stylesheet moved out of the page applies (tickets.css)
    expect(page.locator(".form-field").first).to_have_css("margin-bottom", "16px")
    customer.assert_clean()


def test_csp_agent_console_loads_its_scripts_without_violations(watched):
    # given
    agent = watched(make_person("agent@example.test", role=Role.AGENT))
    page = agent.page
    # when: console.js opens its websocket as soon as it runs
    with page.expect_websocket(lambda socket: "/ws/console/" in socket.url) as socket:
        page.goto("/console/")
    # then (the live server speaks no websocket; a CSP refusal would show as a violation)
    assert socket.value.url.endswith("/ws/console/")
    # bell.js turned the bell link into a button
    expect(page.locator("[data-bell-button]")).to_be_visible()
    agent.assert_clean()
