"""A supervisor, in Chinese on a phone, files a query customers searched without a
confident answer under the article that answers it (a taught question, issue 18)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Browser, expect

from accounts.models import Role, User
from accounts.services import user_role_grant
from helpcenter import analytics, services
from helpcenter.importing import ArticleSource
from helpcenter.models import Article

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple"
QUERY = "人脸识别老是不通过怎么办"
UNLABELLED_CONTROLS_JS = """
() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter((el) => el.checkVisibility())
  .filter((el) => !(el.labels.length || el.getAttribute('aria-label')))
  .map((el) => el.outerHTML)
"""


def test_a_supervisor_files_a_query_under_an_article_from_a_phone(browser: Browser, live_server):
    # given: an article, and customers who searched in words no article had
    services.article_import(
        source=ArticleSource(
            slug="kyc-levels",
            lang="zh-hans",
            title="实名认证等级",
            category="account",
            body="上传身份证正反面，然后按提示完成自拍。",
        )
    )
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(f"/help/search/?{urlencode({'q': QUERY, 'lang': 'zh-hans'})}")
    analytics.search_stats_flush()
    supervisor = User.objects.create_user(
        "lin@beacon.test", PASSWORD, first_name="Lin", language="zh-hans"
    )
    EmailAddress.objects.create(
        user=supervisor, email=supervisor.email, verified=True, primary=True
    )
    user_role_grant(user=supervisor, role=Role.SUPERVISOR)
    # when: she opens the analytics and files the query under the article
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(supervisor.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.goto("/console/help/search-analytics/")
    row = page.locator("[data-testid=unanswered-queries] tbody tr").filter(has_text=QUERY)
    assert page.evaluate(UNLABELLED_CONTROLS_JS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row.get_by_label("文章地址（slug）").fill("kyc-levels")
    row.get_by_role("button", name="归入").click()
    # then: she is told, and the article has the customer's words
    expect(page.locator(".messages")).to_contain_text("已归入“实名认证等级”")
    assert Article.objects.get(slug="kyc-levels").questions == [QUERY]
    context.close()
