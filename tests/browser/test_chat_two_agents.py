"""Two agents, three customers, in Chromium (issue 16's English proof): when one agent
ends a chat, the next waiting chat is theirs at once. The server gives it in the same
transaction as the end (livechat.services.transitions); the agent's browser sends
nothing to ask for it.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from livechat.models import AgentPresence, Conversation, ConversationEvent

from .test_chat import chat_server  # noqa: F401 (a fixture)
from .test_chat_pickup import people  # noqa: F401 (a fixture)
from .test_ticket_flow import make_person

pytestmark = pytest.mark.django_db(transaction=True)


def _ask_for_a_person(page: Page) -> None:
    page.goto("/")
    page.get_by_role("button", name="Contact support").click()
    dialog = page.get_by_role("dialog", name="Contact support")
    box = dialog.get_by_label("Your message", exact=True)
    box.fill("I need a person, my deposit is missing")
    box.press("Enter")
    dialog.get_by_role("button", name="Talk to a person").first.click()


def _frames_sent(page: Page) -> list[dict]:
    """Every frame the page's websockets send from now on."""
    sent: list[dict] = []

    def watch(socket) -> None:
        socket.on("framesent", lambda payload: sent.append(json.loads(payload)))

    page.on("websocket", watch)
    return sent


def test_an_agent_who_ends_a_chat_gets_the_next_waiting_one_without_asking(people):  # noqa: F811
    # given: Omar and Priya, room for one chat each, both in the chat console
    agents = {}
    for name, staff_id in (("Omar", "BCN-11111"), ("Priya", "BCN-22222")):
        user = make_person(f"{name.lower()}@example.test", role=Role.AGENT, first_name=name)
        AgentPresence.objects.create(
            agent=user, staff_id=staff_id, languages=["en"], skills=["general"], capacity=1
        )
        agents[name] = user
    customers = [make_person(f"c{n}@example.test", first_name=f"Cust{n}") for n in (1, 2, 3)]
    # (everyone is made before the first page opens: Playwright's loop then owns this thread)
    omar_desk = people(agents["Omar"], locale="en-US")
    sent_by_omar = _frames_sent(omar_desk)
    omar_desk.goto("/console/chats/")
    expect(omar_desk.locator("[data-conn]")).to_have_text("Connected")
    priya_desk = people(agents["Priya"], locale="en-US")
    priya_desk.goto("/console/chats/")
    expect(priya_desk.locator("[data-conn]")).to_have_text("Connected")

    # and: three customers ask for a person, one after another
    pages = []
    for customer in customers:
        page = people(customer, locale="en-US")
        _ask_for_a_person(page)
        pages.append(page)
    first, second, third = (Conversation.objects.get(customer=c) for c in customers)
    dialogs = [p.get_by_role("dialog", name="Contact support") for p in pages]
    expect(dialogs[0].locator("[data-chat-status]")).to_contain_text("You are chatting with")
    expect(dialogs[1].locator("[data-chat-status]")).to_contain_text("You are chatting with")
    # the third waits: both agents are full
    expect(dialogs[2].locator("[data-chat-status]")).not_to_contain_text("You are chatting with")
    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert third.status == "queued"
    ender = "Omar" if first.agent_id == agents["Omar"].pk else "Priya"
    ended = first if first.agent_id == agents["Omar"].pk else second
    assert ender == "Omar" or second.agent_id == agents["Omar"].pk

    # when: Omar ends his chat from the console (and confirms)
    omar_desk.on("dialog", lambda confirm: confirm.accept())
    column = omar_desk.locator(f'[data-conversation="{ended.public_id}"]')
    sent_before = len(sent_by_omar)
    column.locator("[data-end]").click()

    # then: the third customer is with Omar, and Omar's console shows the new chat
    expect(dialogs[2].locator("[data-chat-status]")).to_have_text(
        "You are chatting with Omar (staff ID BCN-11111)."
    )
    expect(omar_desk.locator(f'[data-conversation="{third.public_id}"]')).to_have_count(1)
    expect(
        omar_desk.locator(f'[data-conversation="{third.public_id}"] [data-log]')
    ).to_contain_text("my deposit is missing")
    # and the customer whose chat ended is told so
    ended_page = pages[customers.index(ended.customer)]
    expect(ended_page.get_by_role("dialog", name="Contact support")).to_contain_text(
        "The agent has ended the chat."
    )
    # and: Omar's browser asked for nothing: it sent the end, then only what any open
    # chat sends (opening the new chat's history, read marks, typing, heartbeats)
    asked = [frame["type"] for frame in sent_by_omar[sent_before:]]
    assert asked[0] == "chat.end"
    assert set(asked[1:]) <= {"chat.open", "read", "typing", "ping", "presence.ping"}
    # and: the audit trail shows routing gave it to him as his chat ended
    trail = list(ConversationEvent.objects.filter(conversation=third).values_list("by", "to_agent"))
    assert trail == [("customer", None), ("routing", agents["Omar"].pk)]
    assert ConversationEvent.objects.filter(
        conversation=ended, to_status="ended", by="agent", actor=agents["Omar"]
    ).exists()
