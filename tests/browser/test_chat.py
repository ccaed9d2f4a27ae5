"""Live chat in Chromium, customer and agent each in a browser context of their own.

The customer asks the bot, gets an answer and asks for a person; the agent answers from
the chat console; the customer checks the agent's staff ID; the customer's network drops
while they send a message and comes back (nothing lost, nothing doubled, on either side);
the agent converts the chat into a ticket.

pytest-django's live server speaks HTTP only, so the pages and websockets come from a
web process (uvicorn) on this test's database (the same server for both people).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from livechat.models import AgentPresence, ChatMessage, Conversation
from tests.servers import AsgiServer
from tickets.models import Macro, Ticket

from .test_ticket_flow import PASSWORD, make_person, seeded_types  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

STAFF_ID = "BCN-24680"
QUESTION = "my withdrawal has been processing for hours"
AGENT_REPLY = "Hello, I am checking your withdrawal now."
OFFLINE_MESSAGE = "Sent while my train was in a tunnel"


@pytest.fixture
def chat_server(transactional_db) -> Iterator[str]:
    """the web process (HTTP and websockets) on this test's database; yields its base URL."""
    server = AsgiServer(BEACON_SEMANTIC_SEARCH="0")
    try:
        server.wait_ready()
        yield server.url
    finally:
        output = server.stop()
    assert "Traceback" not in output, output


@pytest.fixture
def people(browser: Browser, chat_server: str):
    contexts = []

    def open_for(user) -> Page:
        context = browser.new_context(
            base_url=chat_server, viewport={"width": 1280, "height": 900}, locale="en-US"
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


def _csp_violations(page: Page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


@pytest.mark.usefixtures("seeded_types")  # earlier live-server tests flushed them
def test_bot_then_agent_through_a_network_drop_then_a_ticket(people, kb_corpus):
    call_command("import_articles", str(kb_corpus), verbosity=0)
    Macro.objects.create(
        title="Greeting",
        language="en",
        body="Hello {customer_name}, {agent_name} here about request {ticket_number}.",
    )
    customer = make_person("alice@example.test", first_name="Alice")
    agent = make_person("omar@example.test", role=Role.AGENT, first_name="Omar")
    AgentPresence.objects.create(
        agent=agent, staff_id=STAFF_ID, languages=["en"], skills=["general", "trading"]
    )

    # --- the agent opens the chat console: online ------------------------------------------
    desk = people(agent)
    desk.goto("/console/chats/")
    expect(desk.locator("[data-conn]")).to_have_text("Connected")
    expect(desk.locator("[data-chat-widget]")).to_have_count(0)  # no customer widget here

    # --- the customer asks the bot ----------------------------------------------------------
    me = people(customer)
    violations = _csp_violations(me)
    me.goto("/")
    me.get_by_role("button", name="Contact support").click()
    dialog = me.get_by_role("dialog", name="Contact support")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Your message", exact=True)).to_be_focused()
    expect(dialog.locator("[data-chat-status]")).to_have_text(
        "You are chatting with the Beacon bot."
    )
    dialog.get_by_label("Your message", exact=True).fill(QUESTION)
    dialog.get_by_label("Your message", exact=True).press("Enter")

    # then: answers as links with snippets, and "Did this help?"
    answers = dialog.locator(".chat-articles li")
    expect(answers.first).to_be_visible()
    expect(answers.first.locator("a")).to_have_attribute(
        "href", re.compile(r"^/help/articles/kb-037/")
    )
    expect(answers.first.locator(".chat-snippet")).not_to_be_empty()
    expect(dialog.get_by_role("group", name="Did this help?")).to_be_visible()
    # and the answer names articles by title, never by a raw address
    expect(dialog.locator("[data-chat-log]")).not_to_contain_text("/help/articles/")

    # --- Escape closes the dialog; a page navigation keeps the chat ---------------------------
    dialog.press("Escape")
    expect(dialog).to_be_hidden()
    expect(me.get_by_role("button", name="Contact support")).to_be_focused()
    me.goto("/requests/")
    expect(me.get_by_role("dialog", name="Contact support")).to_be_hidden()
    me.get_by_role("button", name="Contact support").click()
    dialog = me.get_by_role("dialog", name="Contact support")
    expect(dialog.locator(".chat-message.from-customer")).to_have_count(1)
    expect(dialog.locator(".chat-articles li").first).to_be_visible()

    # --- the customer asks for a person; the agent gets the chat ------------------------------
    dialog.get_by_role("button", name="Talk to a person").first.click()
    expect(dialog.locator("[data-chat-status]")).to_have_text(
        f"You are chatting with Omar (staff ID {STAFF_ID})."
    )
    column = desk.locator("[data-column]")
    expect(column).to_have_count(1)
    expect(column.locator("[data-log]")).to_contain_text(QUESTION)
    expect(column.locator("[data-meta]")).to_contain_text("English")  # a name, not "en"
    # and only what applies with a person is offered: no more bot questions or hand-off
    expect(dialog.get_by_role("button", name="Talk to a person")).to_have_count(0)
    expect(dialog.get_by_role("group", name="Did this help?")).to_have_count(0)
    expect(dialog.get_by_role("button", name="Leave a message")).to_have_count(0)

    # --- a canned reply is filled for this chat; what it has no value for is named ------------
    column.locator("[data-macro]").select_option(label="[en] Greeting")
    expect(column.locator("[data-body]")).to_have_value(
        "Hello Alice, Omar here about request {ticket_number}."
    )
    expect(column.locator(".chat-macro-missing")).to_contain_text("{ticket_number}")
    column.get_by_role("button", name="Send").click()  # refused in the console: not sent
    expect(column.locator("[data-body]")).to_have_value(
        "Hello Alice, Omar here about request {ticket_number}."
    )

    # --- the agent answers; the customer sees name, staff ID and checks it ---------------------
    column.locator("[data-body]").fill(AGENT_REPLY)
    column.get_by_role("button", name="Send").click()
    reply = dialog.locator(".chat-message.from-agent", has_text=AGENT_REPLY)
    expect(reply).to_have_count(1)
    expect(reply.locator(".chat-author")).to_have_text("Omar")
    expect(reply.locator(".chat-staff-id")).to_have_text(f"Staff ID {STAFF_ID}")
    reply.get_by_role(
        "link", name=f"Verify this agent on the official-channel check ({STAFF_ID})"
    ).click()
    expect(dialog.locator(".chat-notice.verified")).to_have_text(
        f"Omar (staff ID {STAFF_ID}) is a real Beacon agent and is serving this chat."
    )
    # the agent's message was read: the console shows the receipt
    expect(column.locator("[data-read]")).to_be_visible()

    # --- the customer types a password: the agent sees it masked, the kind in words ---------
    dialog.get_by_label("Your message", exact=True).fill("my password is hunter2hunter2")
    dialog.get_by_label("Your message", exact=True).press("Enter")
    expect(column.locator(".chat-masked")).to_have_text("Sensitive data was masked: password")
    expect(column.locator("[data-log]")).not_to_contain_text("hunter2hunter2")
    # and her own bubble shows the masked copy that was kept, not her secret
    expect(dialog.locator("[data-chat-log]")).not_to_contain_text("hunter2hunter2")

    # --- the network drops while the customer sends; it comes back -----------------------------
    me.context.set_offline(True)
    dialog.get_by_label("Your message", exact=True).fill(OFFLINE_MESSAGE)
    dialog.get_by_label("Your message", exact=True).press("Enter")
    pending = dialog.locator(".chat-message.from-customer", has_text=OFFLINE_MESSAGE)
    expect(pending).to_have_class("chat-message from-customer pending")
    expect(dialog.locator("[data-chat-status]")).to_contain_text("Reconnecting")
    me.context.set_offline(False)

    # then: sent once, seen once by each side
    expect(pending).not_to_have_class("chat-message from-customer pending", timeout=30_000)
    expect(column.locator("[data-log] li", has_text=OFFLINE_MESSAGE)).to_have_count(1)
    expect(dialog.locator(".chat-message", has_text=OFFLINE_MESSAGE)).to_have_count(1)
    chat = Conversation.objects.get(customer=customer)
    assert chat.messages.filter(body=OFFLINE_MESSAGE).count() == 1
    # and after a page reload the widget shows it once (resumed from the server)
    me.reload()
    dialog = me.get_by_role("dialog", name="Contact support")
    expect(dialog.locator(".chat-message", has_text=OFFLINE_MESSAGE)).to_have_count(1)
    expect(dialog.locator(".chat-message.pending")).to_have_count(0)

    # --- the agent converts the chat into a ticket ---------------------------------------------
    column.get_by_role("button", name="Convert to ticket").click()
    expect(column).to_contain_text("Ticket created:", timeout=20_000)
    chat.refresh_from_db()
    ticket = Ticket.objects.get(id=chat.ticket_id)
    assert ticket.requester == customer
    assert ticket.chats.get() == chat
    assert OFFLINE_MESSAGE in "\n".join(ticket.messages.values_list("body", flat=True))
    numbers = list(chat.messages.order_by("seq").values_list("seq", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))  # nothing doubled, no gaps
    assert chat.messages.filter(sender=ChatMessage.Sender.AGENT, body=AGENT_REPLY).count() == 1
    assert violations == []
