"""The community forum through Chromium: a customer asks, another customer and an agent
answer, the author accepts the staff answer, and its staff ID checks out on /verify/.

Everyone signs in through the real sign-in page, each in a browser context of their own;
every step is a plain form (no script needed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role, User
from accounts.services import user_role_grant
from community import services
from community.models import Post, Topic
from livechat.services.presence import presence_for

PASSWORD = "correct-horse-battery-staple"
UNLABELLED_CONTROLS_JS = """
() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter((el) => el.checkVisibility())
  .filter((el) => !(el.labels.length || el.getAttribute('aria-label')))
  .map((el) => el.outerHTML)
"""
TITLE = "Why is the ERC20 withdrawal fee so high?"
QUESTION = "I paid 25 USDT to withdraw on ERC20. Is that normal?"
PEER_ANSWER = "Gas on Ethereum was high that hour; it changes all the time."
STAFF_ANSWER = "Hello from Beacon support: the fee follows network gas. TRC20 costs less."


def _person(email: str, first_name: str, *, role: Role | None = None) -> User:
    user = User.objects.create_user(email, PASSWORD, first_name=first_name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role is not None:
        user_role_grant(user=user, role=role)
    return user


@pytest.fixture
def sign_in(browser: Browser, live_server) -> Iterator[Callable[[User], Page]]:
    contexts = []

    def open_for(user: User) -> Page:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US"
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


def test_customer_asks_others_answer_and_the_author_accepts_the_staff_answer(sign_in):
    # given
    services.category_create(slug="fees", name_en="Fees and limits", name_zh_hans="费用与限额")
    asker = _person("mei@example.test", "Mei")
    peer = _person("sam@example.test", "Sam")
    agent = _person("omar@beacon.test", "Omar", role=Role.AGENT)
    staff_id = presence_for(agent).staff_id

    # when: Mei asks from the category page
    mei = sign_in(asker)
    mei.goto("/community/")
    mei.get_by_role("link", name="Fees and limits").click()
    mei.get_by_role("link", name="Ask a question").click()
    assert mei.evaluate(UNLABELLED_CONTROLS_JS) == []
    mei.get_by_label("Title").fill(TITLE)
    mei.get_by_label("Your question").fill(QUESTION)
    mei.get_by_role("button", name="Post question").click()

    # then
    expect(mei.locator("h1")).to_have_text(TITLE)
    topic = Topic.objects.get(title=TITLE)

    # when: Sam answers, then Omar (staff)
    sam = sign_in(peer)
    sam.goto("/community/")
    sam.get_by_role("link", name=TITLE).click()
    sam.get_by_role("textbox", name="Your reply").fill(PEER_ANSWER)
    sam.get_by_role("button", name="Post reply").click()
    expect(sam.locator("[data-testid=post]").filter(has_text=PEER_ANSWER)).to_be_visible()

    omar = sign_in(agent)
    omar.goto(f"/community/t/{topic.id}/")
    omar.get_by_role("textbox", name="Your reply").fill(STAFF_ANSWER)
    omar.get_by_role("button", name="Post reply").click()
    staff_post = omar.locator("[data-testid=post]").filter(has_text=STAFF_ANSWER)
    expect(staff_post.locator("[data-testid=staff-badge]")).to_contain_text(staff_id)

    # when: Mei reloads her question and accepts Omar's answer
    mei.reload()
    answer = mei.locator("[data-testid=post]").filter(has_text=STAFF_ANSWER)
    expect(mei.locator("[data-testid=post]").filter(has_text=PEER_ANSWER)).to_be_visible()
    answer.get_by_role("button", name="Accept as answer").click()

    # then
    answer = mei.locator("[data-testid=post]").filter(has_text=STAFF_ANSWER)
    expect(answer.locator("[data-testid=accepted-badge]")).to_be_visible()
    assert Topic.objects.get(pk=topic.pk).accepted_post == Post.objects.get(staff_id=staff_id)
    # Sam sees it answered, and cannot change that
    sam.reload()
    expect(sam.locator("[data-testid=accepted-badge]")).to_have_count(1)
    expect(sam.get_by_role("button", name="Accept as answer")).to_have_count(0)

    # and on a phone the page fits the screen, every control labelled
    mei.set_viewport_size({"width": 390, "height": 844})
    assert mei.evaluate("document.documentElement.scrollWidth") <= 390
    assert mei.evaluate(UNLABELLED_CONTROLS_JS) == []

    # when: Mei checks the staff ID on the verification page
    answer.get_by_role("link", name="Check this staff ID").click()

    # then
    expect(mei.locator("main")).to_contain_text(f"Omar, staff ID {staff_id}")


def test_chinese_customer_asks_and_accepts_a_staff_answer_in_chinese(sign_in):
    # given
    services.category_create(slug="fees", name_en="Fees and limits", name_zh_hans="费用与限额")
    asker = _person("li@example.test", "Li")
    agent = _person("omar@beacon.test", "Omar", role=Role.AGENT)
    staff_id = presence_for(agent).staff_id

    # when: Li switches the site to Chinese and asks
    li = sign_in(asker)
    li.goto("/community/")
    li.locator("#language-select").select_option(label="简体中文")
    li.get_by_role("button", name="Switch").click()
    expect(li.locator("html")).to_have_attribute("lang", "zh-hans")
    li.get_by_role("link", name="费用与限额").click()
    li.get_by_role("link", name="提问").click()
    li.get_by_label("标题").fill("提现手续费为什么这么高？")
    li.get_by_label("您的问题").fill("我在 ERC20 网络提现，手续费正常吗？")
    li.get_by_role("button", name="发布问题").click()

    # then
    expect(li.locator("h1")).to_have_text("提现手续费为什么这么高？")
    topic = Topic.objects.get(title="提现手续费为什么这么高？")
    assert topic.language == "zh-hans"

    # when: Omar answers; Li accepts
    omar = sign_in(agent)
    omar.goto(f"/community/t/{topic.id}/")
    omar.get_by_role("textbox", name="Your reply").fill("您好，手续费随网络拥堵变化。")
    omar.get_by_role("button", name="Post reply").click()
    li.reload()
    answer = li.locator("[data-testid=post]").filter(has_text="手续费随网络拥堵变化")
    expect(answer.locator("[data-testid=staff-badge]")).to_have_text(
        f"Beacon 工作人员 · 工号 {staff_id}"
    )
    answer.get_by_role("button", name="采纳为答案").click()

    # then
    answer = li.locator("[data-testid=post]").filter(has_text="手续费随网络拥堵变化")
    expect(answer.locator("[data-testid=accepted-badge]")).to_have_text("已采纳的答案")
