"""The server dies mid-chat and comes back: what the customer typed is stored and shown in
the order typed, on both sides, once (issue 14).

A customer chatting with an agent keeps typing while the web process is killed (SIGKILL, a crash)
and started again on the same port, and while the widget reconnects. The widget then has
far more unsent messages than the socket's limit of 10 frames at once: sent all at once,
most were refused, new ones took the freed slots, and the chat was stored as 1-71,
98-200, 72-97. The agent's console, reconnecting too, hid every message numbered at or
below the last one it had shown when a live message beat the catch-up.

Counts and order, never timings: the waits below are bounds for a slow machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from livechat.models import AgentPresence, ChatMessage, Conversation
from tests.servers import AsgiServer

from .test_ticket_flow import PASSWORD, make_person

pytestmark = pytest.mark.django_db(transaction=True)

STAFF_ID = "BCN-13579"
BEFORE, WHILE_DOWN, WHILE_RECONNECTING = 15, 60, 30
TYPED = [f"line {n:03d}" for n in range(1, BEFORE + WHILE_DOWN + WHILE_RECONNECTING + 1)]
# A bound on waiting (reconnect backoff, a slow machine), not a speed requirement.
SETTLE_MS = 90_000


@pytest.fixture
def servers(transactional_db) -> Iterator[list[AsgiServer]]:
    """the web process on this test's database; the test may start it again on the same port."""
    started = [AsgiServer(BEACON_SEMANTIC_SEARCH="0")]
    started[0].wait_ready()
    yield started
    for server in started:
        print(f"--- the web process on {server.port}\n{server.stop()}")  # shown when the test fails


def _signed_in(browser: Browser, base_url: str, user) -> Page:
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def _type(dialog, lines: list[str]) -> None:
    box = dialog.get_by_label("Your message", exact=True)
    for line in lines:
        box.fill(line)
        box.press("Enter")


def test_a_crash_mid_chat_keeps_the_order_typed_for_customer_and_agent(browser, servers):
    customer = make_person("mei@example.test", first_name="Mei")
    agent = make_person("omar@example.test", role=Role.AGENT, first_name="Omar")
    AgentPresence.objects.create(
        agent=agent, staff_id=STAFF_ID, languages=["en"], skills=["general"]
    )
    base_url = servers[0].url

    # given: the agent's console is open, and the customer is chatting with the agent
    desk = _signed_in(browser, base_url, agent)
    desk.goto("/console/chats/")
    expect(desk.locator("[data-conn]")).to_have_text("Connected")
    me = _signed_in(browser, base_url, customer)
    me.goto("/")
    me.get_by_role("button", name="Contact support").click()
    dialog = me.get_by_role("dialog", name="Contact support")
    expect(dialog.locator("[data-chat-status]")).to_have_text(
        "You are chatting with the Beacon bot."
    )
    dialog.get_by_role("button", name="Talk to a person").first.click()
    expect(dialog.locator("[data-chat-status]")).to_contain_text("Omar")
    column = desk.locator("[data-column]")
    expect(column).to_have_count(1)
    _type(dialog, TYPED[:BEFORE])

    # when: the server crashes while the customer types, comes back on the same port, and
    # the customer goes on typing while the widget reconnects
    servers[0].process.kill()
    servers[0].process.wait()
    _type(dialog, TYPED[BEFORE : BEFORE + WHILE_DOWN])
    expect(dialog.locator(".chat-message.pending")).not_to_have_count(0)
    servers.append(AsgiServer(port=servers[0].port, BEACON_SEMANTIC_SEARCH="0"))
    servers[-1].wait_ready()
    # the widget is back: the first of the waiting lines are through
    pending = dialog.locator(".chat-message.pending")
    pending.nth(WHILE_DOWN - 1).wait_for(state="detached", timeout=SETTLE_MS)
    _type(dialog, TYPED[BEFORE + WHILE_DOWN :])

    # then: every line is stored once, in the order typed
    expect(pending).to_have_count(0, timeout=SETTLE_MS)
    chat = Conversation.objects.get(customer=customer)
    stored = list(
        chat.messages.filter(sender=ChatMessage.Sender.CUSTOMER)
        .order_by("seq")
        .values_list("body", flat=True)
    )
    assert stored == TYPED
    numbers = list(chat.messages.order_by("seq").values_list("seq", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))

    # and the customer's widget shows them once each, in that order
    expect(dialog.locator(".chat-message.from-customer .chat-body")).to_have_text(TYPED)

    # and the agent's console, which reconnected too, shows every message once, in order
    expect(column.locator("[data-log] li.chat-msg-customer")).to_have_count(
        len(TYPED), timeout=SETTLE_MS
    )
    expect(column.locator("[data-log] li.chat-msg-customer p")).to_have_text(TYPED)
    shown_ids = column.locator("[data-log] li[data-id]").evaluate_all(
        "items => items.map(item => Number(item.dataset.id))"
    )
    assert shown_ids == numbers
