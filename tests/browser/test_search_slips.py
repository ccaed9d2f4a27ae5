"""Slips read by sound in the help centre's search box, seen through Chromium: a Chinese
customer's pinyin-input homophone on a phone, an English customer's dictated acronym."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from helpcenter.search import homophones, typos


def search_from_box(page, query: str) -> None:
    page.locator("#help-search").fill(query)
    page.locator("#help-search").press("Enter")


@pytest.fixture
def help_content(article_factory):
    for lang, slug, title, body in [
        ("zh-hans", "withdrawal-pending", "提币一直在处理中", "提币需要经过安全审核和区块确认。"),
        ("zh-hans", "frozen", "账户冻结与解冻", "冻结后提交解冻申请，审核通过后恢复。"),
        ("en", "withdrawal-pending", "Withdrawal still processing", "Reviews and confirmations."),
        ("en", "txid", "Where to find the TXID", "The transaction hash is on the details page."),
        ("en", "frozen", "Freezing and unfreezing your account", "Submit an unfreeze request."),
    ]:
        article_factory(slug=slug, lang=lang, title=title, body_markdown=body)
    homophones.clear_cache()
    typos.clear_cache()


@pytest.mark.parametrize("locale", ["zh-CN"])
def test_chinese_customer_on_a_phone_finds_the_article_despite_a_homophone(
    phone_page, help_content
):
    # given: a phone in Chinese
    page = phone_page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    # when: the input method gave 冻洁 for 冻结 (freeze) and 解东 for 解冻 (unfreeze)
    search_from_box(page, "冻洁了怎么解东")
    # then: the freeze article first, in Chinese, on screen
    first = page.locator(".results .result").first
    expect(first).to_have_attribute("data-slug", "frozen")
    expect(first.locator("h2 a")).to_have_text("账户冻结与解冻")
    expect(first).to_be_in_viewport()


def test_english_customer_finds_the_article_for_a_dictated_acronym(page, help_content):
    # given: a desktop browser in English
    page.goto("/")
    # when: the phone's speech-to-text wrote TXID as "tee ex ID"
    search_from_box(page, "where is the tee ex ID")
    # then
    first = page.locator(".results .result").first
    expect(first).to_have_attribute("data-slug", "txid")
    expect(first.locator("h2 a")).to_have_text("Where to find the TXID")
