"""axe-core's WCAG 2.2 A/AA rules on the customer pages issue 16 changed, in both
languages, at 1280 and 390 px: the sign-in (also refused), the help centre home, the chat
open beside the page and as a modal. axe is vendored (tests/browser/vendor/axe-core) and
injected into a context that bypasses the CSP, since the site allows no foreign script."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.accounts.twofactor.conftest import make_person
from tests.browser.conftest import DESKTOP, PHONE

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
