"""What people do in the help centre, seen through Chromium.

Chinese UI strings are still being translated: on Chinese pages these tests assert on
content they create (titles, bodies) and on <html lang>, never on translated chrome.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from helpcenter.models import Announcement, ArticleFeedback, SearchSynonym
from helpcenter.services import synonym_save

OFFICIAL_EMAIL = "support@beacon.test"
LOOKALIKE_EMAIL = "support@beac\u043en.test"  # Cyrillic о in "beacon"
MAIN_NAV_LINKS = ["Help centre", "Submit a request", "My requests", "Contact us", "Community"]

UNLABELLED_CONTROLS_JS = """
() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter((el) => el.checkVisibility())
  .filter((el) => !(el.labels.length || el.getAttribute('aria-label')))
  .map((el) => el.outerHTML)
"""


def search_from_box(page, query: str) -> None:
    page.locator("#help-search").fill(query)
    page.locator("#help-search").press("Enter")


# --- language switch, synonym search and article feedback ------------------------------------


def test_chinese_visitor_finds_article_by_synonym_and_rates_it(page, article_factory):
    # given: an English browser; the article says 提币 only, customers also say 出金
    article = article_factory(
        slug="withdrawal-pending",
        lang="zh-hans",
        title="提币一直在处理中",
        body_markdown="提币申请提交后需要经过安全审核和区块确认。\n\n"
        "如果提币超过两小时仍在处理中，请通过官方渠道联系客服。",
    )
    article_factory(
        slug="kyc-duration",
        lang="zh-hans",
        title="身份认证需要多久",
        body_markdown="身份认证审核通常需要一到三个工作日。",
    )
    synonym_save(synonym=SearchSynonym(terms="提币, 提现, 出金"))
    assert "出金" not in f"{article.title} {article.body_text}"
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # when: they choose 简体中文 in the header's language select and press Switch
    page.locator("#language-select").select_option(label="简体中文")
    page.get_by_role("button", name="Switch").click()

    # then
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#language-select")).to_have_value("zh-hans")

    # when: they search with the synonym
    search_from_box(page, "出金")

    # then: the withdrawal article comes first
    first = page.locator(".results .result").first
    expect(first).to_have_attribute("data-slug", "withdrawal-pending")
    expect(first.locator("h2 a")).to_have_text("提币一直在处理中")

    # when: they open it
    first.locator("h2 a").click()

    # then
    expect(page.locator("article.article header h1")).to_have_text("提币一直在处理中")
    expect(page.locator(".article-body")).to_contain_text("如果提币超过两小时仍在处理中")
    article_url = page.url

    # when: they answer "Was this article helpful?" yes, with a comment
    feedback = page.locator("#feedback-box")
    feedback.locator("input[name=helpful][value=yes]").check()
    feedback.locator("#feedback-comment").fill("说明很清楚，谢谢！")
    feedback.locator("button[type=submit]").click()

    # then: HTMX swaps the thank-you message in, without leaving the page
    expect(page.locator("#feedback-box .success[role=status]")).to_be_visible()
    expect(page.locator("#feedback-box form")).to_have_count(0)
    assert page.url == article_url
    vote = ArticleFeedback.objects.get()
    assert (vote.article_id, vote.helpful, vote.comment) == (article.id, True, "说明很清楚，谢谢！")
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (1, 0)

    # when: the same browser session comes back and votes no
    page.reload()
    feedback.locator("input[name=helpful][value=no]").check()
    feedback.locator("button[type=submit]").click()

    # then: the vote changed; no second row
    expect(page.locator("#feedback-box .success[role=status]")).to_be_visible()
    vote = ArticleFeedback.objects.get()
    assert (vote.helpful, vote.comment) == (False, "")
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (0, 1)


# --- maintenance banner -------------------------------------------------------------------------


def test_maintenance_banner_shows_on_home_and_article_while_active_and_links_to_it(
    page,
    announcement_factory,
    article_factory,
):
    # given
    now = timezone.now()
    maintenance = announcement_factory(
        kind=Announcement.Kind.MAINTENANCE,
        title_en="Wallet upgrade: withdrawals paused",
        starts_at=now - dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(hours=2),
    )
    article_factory(slug="deposit-basics", title="Deposit basics")

    # when
    page.goto("/")

    # then
    banner = page.get_by_test_id("maintenance-banner")
    expect(banner).to_be_visible()
    link = banner.get_by_role("link", name="Wallet upgrade: withdrawals paused")
    expect(link).to_have_attribute("href", f"/announcements/{maintenance.id}/")

    # when
    page.goto("/help/articles/deposit-basics/")

    # then
    expect(page.locator("article.article header h1")).to_have_text("Deposit basics")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Wallet upgrade: withdrawals paused")

    # when: they follow the banner's link
    banner.get_by_role("link", name="Wallet upgrade: withdrawals paused").click()

    # then
    expect(page).to_have_url(re.compile(rf"/announcements/{maintenance.id}/$"))
    expect(page.locator("main h1")).to_have_text("Wallet upgrade: withdrawals paused")


@pytest.mark.parametrize(
    ("kind", "starts_in", "ends_in"),
    [
        pytest.param(Announcement.Kind.MAINTENANCE, -3, -1, id="maintenance-ended"),
        pytest.param(Announcement.Kind.MAINTENANCE, 1, 3, id="maintenance-not-yet-started"),
        pytest.param(Announcement.Kind.NOTICE, -1, 2, id="active-notice"),
    ],
)
def test_maintenance_banner_hidden_unless_maintenance_is_under_way(
    page,
    announcement_factory,
    article_factory,
    kind,
    starts_in,
    ends_in,
):
    # given
    now = timezone.now()
    announcement_factory(
        kind=kind,
        title_en="Planned work on the order book",
        starts_at=now + dt.timedelta(hours=starts_in),
        ends_at=now + dt.timedelta(hours=ends_in),
    )
    article_factory(slug="deposit-basics", title="Deposit basics")

    for path, heading in [("/", "main h1"), ("/help/articles/deposit-basics/", "article h1")]:
        # when
        page.goto(path)
        # then: the page is there, the banner is not
        expect(page.locator(heading).first).to_be_visible()
        expect(page.get_by_test_id("maintenance-banner")).to_have_count(0)


# --- channel verification -----------------------------------------------------------------------


def check_on_verify_page(page, value: str) -> None:
    page.goto("/verify/")
    page.locator("#verify-value").fill(value)
    page.locator("#verify-value").press("Enter")


def test_verify_page_confirms_an_official_email(page, channel_factory):
    # given
    channel_factory(kind="email", label_en="Support email", value=OFFICIAL_EMAIL)
    # when
    check_on_verify_page(page, OFFICIAL_EMAIL)
    # then
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_contain_text("Official Beacon channel")
    expect(verdict).to_contain_text(f"Support email: {OFFICIAL_EMAIL}")
    expect(verdict).not_to_contain_text("Not an official")


def test_verify_page_rejects_a_strangers_address_and_says_what_to_do(page, channel_factory):
    # given
    channel_factory(kind="email", value=OFFICIAL_EMAIL)
    # when
    check_on_verify_page(page, "beacon.refunds@mail.example")
    # then
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_contain_text("Not an official Beacon channel")
    expect(verdict).not_to_contain_text("look-alike")
    steps = verdict.locator("ol li")
    expect(steps).to_have_count(3)
    expect(steps.first).to_contain_text("Stop talking to them")
    expect(verdict.get_by_role("link", name="See our official channels")).to_be_visible()


def test_verify_page_warns_about_a_lookalike_email(page, channel_factory):
    # given
    channel_factory(kind="email", value=OFFICIAL_EMAIL)
    # when
    check_on_verify_page(page, LOOKALIKE_EMAIL)
    # then
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_contain_text("Not an official Beacon channel")
    expect(verdict).to_contain_text("look-alike characters")
    expect(verdict).to_contain_text(f"The real one is {OFFICIAL_EMAIL}")


def test_verify_page_survives_10_kb_of_emoji_and_control_characters(page, channel_factory):
    # given: a link carrying 10 KB of emoji, bidi, zero-width and C0/C1 controls (no NUL)
    channel_factory(kind="email", value=OFFICIAL_EMAIL)
    chunk = "🚀\u202e😀\x01\x1b\x7f\x85\u200b\t\r\nsupport@beacon.test🔥\x9f\u2028ä中"
    value = chunk * (10_240 // len(chunk.encode()) + 1)
    value = value.encode()[:10_240].decode(errors="ignore")
    assert "\x00" not in value and len(value.encode()) > 10_000

    # when
    response = page.goto(f"/verify/?value={quote(value)}")

    # then
    assert response is not None and response.status == 200
    expect(page.locator("main h1")).to_be_visible()
    expect(page.get_by_test_id("verdict")).to_contain_text("Beacon channel")
    shown = page.locator("#verify-value").input_value()
    assert 0 < len(shown) <= 500


# --- phone-sized screen -------------------------------------------------------------------------


def test_phone_header_shows_navigation_and_search_works(phone_page, article_factory):
    # given
    article_factory(
        slug="withdraw-crypto",
        title="How to withdraw crypto",
        body_markdown="Pick the network, paste the address, confirm with 2FA.",
    )
    article_factory(
        slug="kyc-levels",
        title="Identity verification levels",
        body_markdown="Levels unlock limits.",
    )
    page = phone_page

    # when
    page.goto("/")

    # then
    nav = page.get_by_role("navigation", name="Main")
    for name in MAIN_NAV_LINKS:
        link = nav.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()

    # when
    search_from_box(page, "withdraw")

    # then
    first = page.locator(".results .result").first
    expect(first.locator("h2 a")).to_have_text("How to withdraw crypto")
    expect(first).to_be_in_viewport()


# --- accessibility basics -----------------------------------------------------------------------


@pytest.fixture
def help_content(article_factory, channel_factory):
    for lang, title, body in [
        (
            "en",
            "Turn on two-factor authentication",
            "2FA protects your account.\n\n## Steps\n\n1. Open the security page.\n2. Scan the code.",
        ),
        (
            "zh-hans",
            "开启双重验证 2FA",
            "2FA 保护你的账户。\n\n## 步骤\n\n1. 打开安全页面。\n2. 扫描二维码。",
        ),
    ]:
        article_factory(slug="enable-2fa", lang=lang, title=title, body_markdown=body)
    channel_factory(kind="email", value=OFFICIAL_EMAIL, languages=["en", "zh-hans"])


PAGES = {
    "home": "/",
    "search": "/help/search/?q=2FA",
    "article": "/help/articles/enable-2fa/",
    "contact": "/contact/",
    "verify": f"/verify/?value={quote(LOOKALIKE_EMAIL)}",
}


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
@pytest.mark.parametrize(("locale", "lang"), [("en-US", "en"), ("zh-CN", "zh-hans")])
def test_page_has_labelled_controls_one_h1_and_the_chosen_lang(page, help_content, path, lang):
    # given: a browser asking for `locale`
    # when
    page.goto(path)
    # then
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_count(1)
    assert page.locator("input:not([type=hidden]), select, textarea").count() > 0
    assert page.evaluate(UNLABELLED_CONTROLS_JS) == []


def test_article_page_written_like_imported_files_has_one_h1(page, article_factory):
    # given: an article as the importer stores them (demo content and the KB corpus alike
    # start their Markdown with "# <title>")
    article_factory(
        slug="anti-phishing-code",
        title="What is an anti-phishing code?",
        body_markdown="# What is an anti-phishing code?\n\n"
        "A short word Beacon puts into every genuine email.\n\n"
        "## Where you will see it\n\nAt the top of every email.",
    )
    # when
    page.goto("/help/articles/anti-phishing-code/")
    # then
    expect(page.locator("article.article header h1")).to_have_text("What is an anti-phishing code?")
    headings = page.locator("h1")
    count, texts = headings.count(), headings.all_inner_texts()
    assert count == 1, (
        f"APP BUG: the article page has {count} <h1> elements {texts!r}: "
        "templates/helpcenter/article.html renders <h1>{{ article.title }}</h1> and then "
        "article.body_html, where helpcenter/rendering.py turns the Markdown's leading "
        "'# <title>' line into a second <h1> (the title shows twice)"
    )
