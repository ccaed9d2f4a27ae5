"""axe-core's WCAG 2.2 A/AA rules on the customer pages issue 16 changed, in both
languages, at 1280 and 390 px: the sign-in (also refused), the help centre home, the chat
open beside the page and as a modal; and the agent workspace (My work, a queue, the
waiting chats, the chat page with a chat open, the ticket page after an in-place edit, in
note mode and with the shortcuts dialog open). axe is vendored (tests/browser/vendor/axe-core) and
injected into a context that bypasses the CSP, since the site allows no foreign script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role, User
from livechat.models import Conversation
from tests.accounts.twofactor.conftest import PASSWORD, make_person
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_chat import chat_server  # noqa: F401 (a fixture)
from tests.browser.test_ticket_flow import off_the_browser_loop, seeded_types  # noqa: F401
from tests.browser.test_workspace import _tickets

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE_JS = """
async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}
"""


@pytest.fixture(params=[DESKTOP, PHONE], ids=["1280", "390"])
def audited(request, browser, live_server, locale):
    context = browser.new_context(
        base_url=live_server.url, viewport=request.param, locale=locale, bypass_csp=True
    )
    yield context.new_page()
    context.close()


def assert_no_violations(page) -> None:
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(RUN_AXE_JS, WCAG_AA) == []


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_axe_finds_nothing_on_home_and_open_chat(audited):
    page = audited
    # given
    page.goto("/")
    assert_no_violations(page)

    # when
    page.locator("[data-chat-launcher]").click()

    # then
    expect(page.locator("#chat-dialog")).to_be_visible()
    assert_no_violations(page)


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_axe_finds_nothing_on_sign_in_before_and_after_a_refusal(audited):
    page = audited
    # given
    make_person("axe@example.test")
    page.goto("/accounts/login/")
    assert_no_violations(page)

    # when
    page.locator("input[name=login]").fill("axe@example.test")
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("input[name=password]").press("Enter")

    # then
    expect(page.locator("#form-errors")).to_be_focused()
    assert_no_violations(page)


# ---------------------------------------------------------------------------- the workspace


@pytest.fixture(params=[DESKTOP, PHONE], ids=["1280", "390"])
def desk(request, browser, chat_server, seeded_types, locale):  # noqa: F811
    """An agent signed in to the workspace (served by the web process, so chats open as columns),
    in the browser's language, with a ticket and a chat of their own."""
    language = "zh-hans" if locale.startswith("zh") else "en"
    customer = make_person("lin@example.test")
    agent = make_person("omar@example.test", role=Role.AGENT)
    User.objects.filter(pk=agent.pk).update(first_name="Omar", language=language)
    ticket = off_the_browser_loop(lambda: _tickets(customer))[0]
    Conversation.objects.create(
        customer=customer,
        status=Conversation.Status.ACTIVE,
        agent=agent,
        language=language,
        queued_at=timezone.now(),
        assigned_at=timezone.now(),
    )
    context = browser.new_context(
        base_url=chat_server, viewport=request.param, locale=locale, bypass_csp=True
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(agent.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    yield page, ticket
    context.close()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_axe_finds_nothing_in_the_workspace(desk):
    page, ticket = desk
    for path in ["/console/inbox/", "/console/?queue=open", "/console/chats/waiting"]:
        page.goto(path)
        assert_no_violations(page)

    # the chat page with a chat open beside its customer
    page.goto("/console/chats/")
    expect(page.locator("[data-column] [data-context] [data-customer-label]")).to_have_count(1)
    assert_no_violations(page)

    # the ticket page, after an in-place edit, in note mode, and with the shortcuts open
    page.goto(f"/console/tickets/{ticket.number}/")
    assert_no_violations(page)
    page.locator("#ticket-properties").locator("button[name=priority][value=high]").click()
    expect(page.locator("#ws-announce .message")).to_be_visible()
    page.keyboard.press("n")
    expect(page.locator("#mode-internal")).to_be_checked()
    assert_no_violations(page)
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-dialog")).to_be_visible()
    assert_no_violations(page)
