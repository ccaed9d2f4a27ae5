"""A Chinese customer reaches a person (issue 16): she says 转人工, the bot queues her, and
an agent who serves Chinese takes the chat from the queue by hand (routing passes over
her while she is away), in Chromium, customer and agent each in a browser of their own.

The pages and websockets come from a web process (uvicorn) on this test's database (see
test_chat.py's chat_server).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from livechat.models import AgentPresence, Conversation

from .test_chat import chat_server  # noqa: F401 (a fixture)
from .test_ticket_flow import PASSWORD, make_person

pytestmark = pytest.mark.django_db(transaction=True)

STAFF_ID = "BCN-13579"


@pytest.fixture
def people(browser: Browser, chat_server: str):  # noqa: F811
    contexts = []

    def open_for(user, *, locale: str) -> Page:
        context = browser.new_context(
            base_url=chat_server, viewport={"width": 1280, "height": 900}, locale=locale
        )
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.locator("input[name=login]").fill(user.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[name=password]").press("Enter")
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        return page

    yield open_for
    for context in contexts:
        context.close()


def test_a_chinese_customer_asks_for_a_person_and_a_chinese_agent_takes_the_chat(people):
    # given: Mei serves Chinese and is away (routing gives her nothing); Alex serves English
    lin = make_person("lin@example.test", first_name="Lin")
    lin.language = "zh-hans"
    lin.save(update_fields=["language"])
    mei = make_person("mei@example.test", role=Role.AGENT, first_name="Mei")
    AgentPresence.objects.create(
        agent=mei,
        staff_id=STAFF_ID,
        languages=["zh-hans"],
        skills=["general"],
        status=AgentPresence.Status.AWAY,
    )
    desk = people(mei, locale="en-US")
    desk.goto("/console/chats/")
    expect(desk.locator("[data-conn]")).to_have_text("Connected")
    expect(desk.locator(".chat-profile")).to_contain_text("Simplified Chinese")

    # when: Lin opens the chat and asks for a person in Chinese
    me = people(lin, locale="zh-CN")
    me.goto("/")
    me.get_by_role("button", name="联系客服").click()
    dialog = me.get_by_role("dialog", name="联系客服")
    box = dialog.get_by_label("您的消息", exact=True)
    expect(box).to_be_focused()
    expect(dialog.locator("[data-chat-status]")).to_have_text("当前为 Beacon 智能助手为您服务。")
    box.fill("转人工")
    box.press("Enter")
    expect(dialog).to_contain_text("正在为您转接人工客服")
    chat = Conversation.objects.get(customer=lin)
    assert chat.language == "zh-hans"

    # then: she waits in the queue, and Mei sees the chat on the waiting list with Take
    desk.goto("/console/chats/waiting")
    row = desk.locator(f'[data-waiting-chat="{chat.public_id}"]')
    expect(row).to_have_attribute("lang", "zh-hans")
    expect(row).to_contain_text("Lin")  # the customer by name, the language in words
    expect(row).to_contain_text("Simplified Chinese")
    row.get_by_role("button", name="Take").click()

    # and: the chat opens in Mei's console with what Lin wrote; Lin is told who joined
    expect(desk).to_have_url(re.compile(r"/console/chats/$"))
    column = desk.locator("[data-column]")
    expect(column).to_have_count(1)
    expect(column.locator("[data-log]")).to_contain_text("转人工")
    expect(dialog).to_contain_text(f"Mei（工号 {STAFF_ID}）已加入会话。")
    chat.refresh_from_db()
    assert (chat.status, chat.agent_id) == ("active", mei.pk)

    # and: a reply reaches her
    column.locator("[data-body]").fill("您好，我来帮您查看。")
    column.get_by_role("button", name="Send").click()
    expect(
        dialog.locator(".chat-message.from-agent", has_text="您好，我来帮您查看。")
    ).to_have_count(1)


def test_an_agent_takes_a_chat_from_the_console_queue_and_it_leaves_the_other_queues(people):
    # given: two away agents who serve Chinese have the console open; Lin asks for a person
    lin = make_person("lin@example.test", first_name="Lin")
    lin.language = "zh-hans"
    lin.save(update_fields=["language"])
    mei = make_person("mei@example.test", role=Role.AGENT, first_name="Mei")
    jun = make_person("jun@example.test", role=Role.AGENT, first_name="Jun")
    for agent, staff_id in ((mei, STAFF_ID), (jun, "BCN-97531")):
        AgentPresence.objects.create(
            agent=agent,
            staff_id=staff_id,
            languages=["zh-hans", "en"],
            skills=["general"],
            status=AgentPresence.Status.AWAY,
        )
    desks = [people(mei, locale="en-US"), people(jun, locale="en-US")]
    for desk in desks:
        desk.goto("/console/chats/")
        expect(desk.locator("[data-conn]")).to_have_text("Connected")
    me = people(lin, locale="zh-CN")
    me.goto("/")
    me.get_by_role("button", name="联系客服").click()
    dialog = me.get_by_role("dialog", name="联系客服")
    expect(dialog.locator("[data-chat-status]")).to_have_text("当前为 Beacon 智能助手为您服务。")
    dialog.get_by_label("您的消息", exact=True).fill("转人工")
    dialog.get_by_label("您的消息", exact=True).press("Enter")
    # when: both see the chat in their queue, and Mei takes it
    takes = [
        desk.locator("[data-queue-list] li").get_by_role("button", name="Take") for desk in desks
    ]
    for take in takes:
        expect(take).to_have_count(1)
    takes[0].click()
    # then: the chat opens in Mei's console; the queue empties, so Jun has nothing to take
    column = desks[0].locator("[data-column]")
    expect(column).to_have_count(1)
    expect(column.locator("[data-log]")).to_contain_text("转人工")
    expect(dialog).to_contain_text(f"Mei（工号 {STAFF_ID}）已加入会话。")
    expect(desks[1].locator("[data-queue-list] li")).to_have_count(0)
    expect(desks[1].locator("[data-column]")).to_have_count(0)


def test_a_supervisor_assigns_a_waiting_chat_to_a_busy_chinese_agent_from_the_console(people):
    # given: Mei, the one Chinese speaker online, is full; the supervisor serves English
    lin = make_person("lin@example.test", first_name="Lin")
    lin.language = "zh-hans"
    lin.save(update_fields=["language"])
    mei = make_person("mei@example.test", role=Role.AGENT, first_name="Mei")
    boss = make_person("sam@example.test", role=Role.SUPERVISOR, first_name="Sam")
    AgentPresence.objects.create(
        agent=mei, staff_id=STAFF_ID, languages=["zh-hans"], skills=["general"], capacity=1
    )
    AgentPresence.objects.create(agent=boss, staff_id="BCN-11111", languages=["en"])
    other = make_person("wang@example.test", first_name="Wang")
    Conversation.objects.create(
        customer=other, language="zh-hans", status=Conversation.Status.ACTIVE, agent=mei
    )
    desk = people(mei, locale="en-US")
    desk.goto("/console/chats/")
    expect(desk.locator("[data-conn]")).to_have_text("Connected")
    expect(desk.locator("[data-column]")).to_have_count(1)
    lead = people(boss, locale="en-US")
    lead.goto("/console/chats/")
    expect(lead.locator("[data-conn]")).to_have_text("Connected")
    # when: Lin asks for a person; nobody has room, so she waits
    me = people(lin, locale="zh-CN")
    me.goto("/")
    me.get_by_role("button", name="联系客服").click()
    dialog = me.get_by_role("dialog", name="联系客服")
    expect(dialog.locator("[data-chat-status]")).to_have_text("当前为 Beacon 智能助手为您服务。")
    dialog.get_by_label("您的消息", exact=True).fill("转人工")
    dialog.get_by_label("您的消息", exact=True).press("Enter")
    waiting = lead.locator("[data-queue-list] li")
    expect(waiting).to_have_count(1)
    expect(waiting.get_by_role("button", name="Take")).to_have_count(0)  # not his language
    # and: the supervisor gives it to Mei anyway
    waiting.get_by_label("Assign to…").select_option(STAFF_ID)
    waiting.get_by_role("button", name="Assign").click()
    # then: it opens in Mei's console beside her other chat, and Lin is told
    expect(desk.locator("[data-column]")).to_have_count(2)
    expect(desk.locator("[data-column]", has_text="转人工")).to_have_count(1)
    expect(dialog).to_contain_text(f"Mei（工号 {STAFF_ID}）已加入会话。")
    expect(lead.locator("[data-queue-list] li")).to_have_count(0)
