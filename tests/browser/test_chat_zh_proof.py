"""Issue 16's proof, in Chinese, in Chromium, end to end: a zh-hans customer asks the bot,
says 转人工; an agent who serves Chinese, signed in with her password and an
authenticator code (staff 2FA on, as in production), takes the chat in the workspace,
answers with a canned reply whose placeholders are filled, the customer sees it with the
staff ID, and the agent turns the chat into a ticket and solves it with a keyboard
shortcut.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from livechat.models import AgentPresence, Conversation, ConversationEvent
from tests.servers import AsgiServer
from tickets.models import Macro, Ticket

from .test_ticket_flow import PASSWORD, make_person, seeded_types  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

STAFF_ID = "BCN-36925"
MACRO = "您好 {customer_name}，我是 {agent_name}，正在为您查看提币进度。"


@pytest.fixture
def server(transactional_db) -> Iterator[str]:
    """the web process on this test's database, with production's rule: staff sign in with 2FA."""
    server = AsgiServer(
        BEACON_SEMANTIC_SEARCH="0", settings_overrides={"BEACON_STAFF_MFA_REQUIRED": True}
    )
    try:
        server.wait_ready()
        yield server.url
    finally:
        output = server.stop()
    assert "Traceback" not in output, output


def _context(browser: Browser, server: str, contexts: list) -> Page:
    context = browser.new_context(
        base_url=server, viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    contexts.append(context)
    return context.new_page()


@pytest.mark.usefixtures("seeded_types")
def test_a_chinese_customer_reaches_a_chinese_agent_who_answers_converts_and_solves(
    browser: Browser, server: str
):
    # given: Lin, a customer who reads Chinese; Mei, an agent for Chinese chats with an
    # authenticator app, away (so routing leaves the chat for her to take); a canned reply
    lin = make_person("lin@example.test", first_name="林")
    lin.language = "zh-hans"
    lin.save(update_fields=["language"])
    mei = make_person("mei@example.test", role=Role.AGENT, first_name="梅")
    mei.language = "zh-hans"
    mei.save(update_fields=["language"])
    secret = pyotp.random_base32()
    TOTP.activate(mei, secret)
    AgentPresence.objects.create(
        agent=mei,
        staff_id=STAFF_ID,
        languages=["zh-hans"],
        skills=["general"],
        status=AgentPresence.Status.AWAY,
    )
    Macro.objects.create(title="提币问候", language="zh-hans", body=MACRO)
    contexts: list = []
    try:
        _walk(browser, server, contexts, lin=lin, mei=mei, secret=secret)
    finally:
        for context in contexts:
            context.close()


def _walk(browser, server, contexts, *, lin, mei, secret) -> None:
    # --- Mei signs in: password, then the code from her app -----------------------------
    desk = _context(browser, server, contexts)
    desk.goto("/accounts/login/")
    desk.locator("input[name=login]").fill(mei.email)
    desk.locator("input[name=password]").fill(PASSWORD)
    desk.locator("input[name=password]").press("Enter")
    code = desk.locator("input[name=code]")
    expect(code).to_be_visible()
    code.fill(pyotp.TOTP(secret).now())
    code.press("Enter")
    expect(desk).not_to_have_url(re.compile(r"/accounts/"))
    desk.goto("/console/chats/")
    expect(desk.locator("[data-conn]")).to_have_text("已连接")

    # --- Lin asks the bot, then says 转人工 ----------------------------------------------
    me = _context(browser, server, contexts)
    me.goto("/accounts/login/")
    me.locator("input[name=login]").fill(lin.email)
    me.locator("input[name=password]").fill(PASSWORD)
    me.locator("input[name=password]").press("Enter")
    expect(me).not_to_have_url(re.compile(r"/accounts/login/"))
    me.goto("/")
    me.get_by_role("button", name="联系客服").click()
    dialog = me.get_by_role("dialog", name="联系客服")
    box = dialog.get_by_label("您的消息", exact=True)
    box.fill("我的提币一直显示处理中")
    box.press("Enter")
    expect(dialog.locator(".chat-message.from-bot")).to_have_count(2)  # greeting, answer
    box.fill("转人工")
    box.press("Enter")
    expect(dialog).to_contain_text("正在为您转接人工客服")
    expect(dialog.locator("[data-chat-status]")).not_to_contain_text("智能助手")

    # --- Mei takes the chat from the queue in her workspace --------------------------------
    take = desk.locator("[data-queue-list] li").get_by_role("button", name="接入")
    expect(take).to_have_count(1)
    take.click()
    column = desk.locator("[data-column]")
    expect(column).to_have_count(1)
    expect(column.locator("[data-log]")).to_contain_text("我的提币一直显示处理中")
    expect(dialog).to_contain_text(f"梅（工号 {STAFF_ID}）已加入会话。")

    # --- a canned reply, filled for Lin; she sees it with Mei's staff ID --------------------
    column.locator("[data-macro]").select_option(label="[zh-hans] 提币问候")
    filled = "您好 林，我是 梅，正在为您查看提币进度。"
    expect(column.locator("[data-body]")).to_have_value(filled)
    expect(column.locator(".chat-macro-missing")).to_be_hidden()
    column.get_by_role("button", name="发送").click()
    reply = dialog.locator(".chat-message.from-agent", has_text=filled)
    expect(reply).to_have_count(1)
    expect(reply.locator(".chat-staff-id")).to_contain_text(STAFF_ID)

    # --- Mei turns the chat into a ticket, opens it and solves it with the keyboard --------
    column.get_by_role("button", name="转为工单").click()
    chat = Conversation.objects.get(customer=lin)
    expect(column).to_contain_text("已创建工单：", timeout=20_000)
    chat.refresh_from_db()
    ticket = Ticket.objects.get(id=chat.ticket_id)
    assert (ticket.requester, ticket.assignee) == (lin, mei)
    column.get_by_role("link", name=ticket.number).click()  # the notice links the ticket
    expect(desk).to_have_url(re.compile(rf"/console/tickets/{ticket.number}/$"))
    solve_with_keyboard(desk)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    # and the chat's trail names each step: Lin's hand-off, Mei's taking it
    assert list(
        ConversationEvent.objects.filter(conversation=chat).values_list("by", "to_status")
    ) == [("customer", "queued"), ("agent", "active")]


def solve_with_keyboard(desk: Page) -> None:
    """The workspace's shortcut: `s` on a ticket presses Solve, which asks first."""
    asked: list[str] = []

    def confirm(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    desk.on("dialog", confirm)
    desk.locator("main h1").first.click()  # focus on the page, not in a field
    desk.keyboard.press("s")
    expect(desk.locator("#ticket-properties .badge-status-solved")).to_have_text("已解决")
    assert asked and "解决" in asked[0]  # the same confirmation as the button's
    expect(desk).to_have_url(re.compile(r"/console/tickets/"))  # in place, no navigation
