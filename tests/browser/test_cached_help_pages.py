"""A signed-out visitor on a help page cached for everyone (no cookie, no CSRF token in
the page) still starts a chat, votes and switches language: lazy_csrf.js gets the token
when it is needed (helpcenter/caching.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def _cookies(page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


def test_a_visitor_on_a_cached_page_starts_the_chat_with_a_token_fetched_then(page):
    # given: the home page set no cookie
    page.goto("/")
    assert not _cookies(page) & {"csrftoken", "sessionid", "beacon_device"}
    # when
    with page.expect_response("**/chat/start") as started:
        page.locator("[data-chat-launcher]").click()
    # then: the chat started (the token was fetched first), and the browser now has one
    assert started.value.status == 200
    expect(page.locator("#chat-dialog")).to_be_visible()
    assert "csrftoken" in _cookies(page)


def test_a_visitor_votes_on_a_cached_article(page, article_factory):
    # given
    article = article_factory(slug="fees", title="Trading fees")
    page.goto("/help/articles/fees/")
    assert "csrftoken" not in _cookies(page)
    # when
    feedback = page.locator("#feedback-box")
    feedback.locator("input[name=helpful][value=yes]").check()
    feedback.locator("button[type=submit]").click()
    # then
    expect(page.locator("#feedback-box")).to_contain_text("Thank you for your feedback.")
    assert article.feedback.count() == 1
