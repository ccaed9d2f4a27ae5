"""A keyboard and screen-reader user on the customer side (issue 16, WCAG 2.2 AA), in
Chromium: the focus ring shows, a refused sign-in is announced, the language select does
not reload on an arrow key, the chat is two Tab stops away, and the open chat never hides
what has focus (docked beside the page when wide, a modal when narrow)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.twofactor.conftest import make_person

SHOTS = "/tmp/notes"

# The WCAG contrast ratio of the focused element's outline against the background it is
# drawn on: the first ancestor with an opaque background (the ring sits outside the box).
FOCUS_RING_CONTRAST_JS = """
(element) => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b]
    .map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  let behind = element.parentElement;
  while (behind && rgb(getComputedStyle(behind).backgroundColor)[3] === 0) { behind = behind.parentElement; }
  const back = behind ? getComputedStyle(behind).backgroundColor : getComputedStyle(document.documentElement).backgroundColor;
  const style = getComputedStyle(element);
  const [a, b] = [luminance(rgb(style.outlineColor)), luminance(rgb(back))].sort((x, y) => y - x);
  return { ratio: (a + 0.05) / (b + 0.05), width: parseFloat(style.outlineWidth), style: style.outlineStyle };
}
"""

INSIDE_DIALOG_JS = (
    "() => !!(document.activeElement && document.activeElement.closest('#chat-dialog'))"
)


def tab_until(page, selector: str, limit: int = 60):
    """Press Tab until the focused element matches `selector` (a keyboard user's way there)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return page.locator(selector)
    raise AssertionError(f"{selector} is not reachable with Tab")


def assert_focus_ring_visible(page, selector: str) -> None:
    ring = page.locator(selector).evaluate(FOCUS_RING_CONTRAST_JS)
    assert ring["style"] != "none" and ring["width"] >= 2, (selector, ring)
    assert ring["ratio"] >= 3, (selector, ring)


def test_focus_ring_contrasts_with_light_and_dark_backgrounds(page):
    # given
    page.goto("/")

    # when / then: a header link (dark), the search field and button (light page)
    tab_until(page, ".main-nav a")
    assert_focus_ring_visible(page, ".main-nav a:focus")
    tab_until(page, "#help-search")
    assert_focus_ring_visible(page, "#help-search")
    tab_until(page, ".search-box button")
    assert_focus_ring_visible(page, ".search-box button")


@pytest.mark.parametrize(
    ("locale", "lang", "error"),
    [("en-US", "en", "not correct"), ("zh-CN", "zh-hans", "不正确")],
)
def test_failed_sign_in_is_announced_and_focused(page, lang, error):
    # given
    make_person("keyboard@example.test")
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", lang)

    # when: a wrong password, sent with Enter
    page.locator("input[name=login]").fill("keyboard@example.test")
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("input[name=password]").press("Enter")

    # then: focus is on the alert that says why; both fields are invalid and point at it
    alert = page.get_by_role("alert").filter(has_text=error)
    expect(alert).to_be_focused()
    for name in ("login", "password"):
        field = page.locator(f"input[name={name}]")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(error))
    page.screenshot(path=f"{SHOTS}/a11y-sign-in-refused-{lang}-1280.png")


def test_language_select_waits_for_the_switch_button(page):
    # given
    page.goto("/")
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    select = tab_until(page, "#language-select")

    # when: an arrow key moves the choice, and Tab goes on
    page.keyboard.press("ArrowDown")
    expect(select).to_have_value("zh-hans")
    page.keyboard.press("Tab")

    # then: nothing was sent; the next stop is the button that switches
    switch = page.get_by_role("button", name="Switch")
    expect(switch).to_be_focused()
    assert posts == []
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # when: Enter on it
    page.keyboard.press("Enter")

    # then: the page is in Chinese, and its button says so in Chinese
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("button", name="切换")).to_be_visible()


@pytest.mark.parametrize(("locale", "name"), [("en-US", "Contact support"), ("zh-CN", "联系客服")])
def test_chat_is_the_second_tab_stop(page, name):
    # given
    page.goto("/")

    # when
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")

    # then: the skip link to the chat has focus, and Enter opens the chat
    skip = page.get_by_role("link", name=name)
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#chat-dialog")).to_be_visible()
    expect(page.locator("#chat-input")).to_be_focused()


@pytest.mark.parametrize(("locale", "lang"), [("en-US", "en"), ("zh-CN", "zh-hans")])
def test_open_chat_never_covers_the_focused_search_button_at_1280(page, lang):
    # given: 1280×720 with the chat open
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto("/")
    page.locator("[data-chat-launcher]").click()
    dialog = page.locator("#chat-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-modal", "false")

    # when: the keyboard goes back to the page, to the search button
    button = tab_until(page, ".search-box button")

    # then: the button is clear of the panel, and the page behind still works
    panel, target = dialog.bounding_box(), button.bounding_box()
    assert target["x"] + target["width"] <= panel["x"], (target, panel)
    page.screenshot(path=f"{SHOTS}/a11y-chat-open-{lang}-1280.png")
    page.locator("#help-search").fill("withdrawal")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/help/search/\?q=withdrawal$"))


@pytest.mark.parametrize(("locale", "lang"), [("en-US", "en"), ("zh-CN", "zh-hans")])
def test_open_chat_on_a_phone_is_a_modal(phone_page, lang):
    page = phone_page
    # given
    page.goto("/")
    launcher = page.locator("[data-chat-launcher]")
    launcher.click()
    dialog = page.locator("#chat-dialog")
    expect(dialog).to_be_visible()

    # then: a modal, with the page behind it out of reach
    expect(dialog).to_have_attribute("aria-modal", "true")
    expect(page.locator("main")).to_have_js_property("inert", True)
    page.screenshot(path=f"{SHOTS}/a11y-chat-modal-{lang}-390.png")

    # when: Tab and Shift+Tab go round many times
    for key in ["Tab"] * 25 + ["Shift+Tab"] * 25:
        page.keyboard.press(key)
        # then: focus never leaves the dialog
        assert page.evaluate(INSIDE_DIALOG_JS), (
            key,
            page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)"),
        )

    # when: Escape
    page.keyboard.press("Escape")

    # then: closed, focus back on the launcher, the page usable again
    expect(dialog).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(page.locator("main")).to_have_js_property("inert", False)
