"""The agent workspace in Chromium (issue 16): an agent changes status and priority and
takes the ticket without the page reloading, writes an internal note through the
composer's toggle, finds the shortcuts on "?", walks a list with j/k and solves with s;
at 390 px nothing overflows sideways, in English and Chinese."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from livechat.models import Conversation
from tickets import services
from tickets.models import Ticket, TicketType

from .conftest import PHONE
from .test_chat import chat_server  # noqa: F401 (a fixture)
from .test_ticket_flow import (  # noqa: F401 (fixtures)
    make_person,
    off_the_browser_loop,
    seeded_types,
    sign_in,
    signed_in_context,
)

NOTE = "Checked the hot wallet: the withdrawal is stuck at signing."
SUBJECTS = ["Withdrawal not received", "Deposit missing a memo", "Cannot turn on 2FA"]


def _tickets(customer) -> list[Ticket]:
    kind = TicketType.objects.get(slug="other")
    return [
        services.ticket_create(
            requester=customer, subject=subject, body="Help.", ticket_type=kind, field_values={}
        )
        for subject in SUBJECTS
    ]


def test_agent_edits_in_place_writes_a_note_and_solves_by_keyboard(sign_in, seeded_types):  # noqa: F811
    # given
    customer = make_person("lin@example.test", first_name="Lin")
    agent = make_person("omar@example.test", role=Role.AGENT, first_name="Omar")
    tickets = off_the_browser_loop(lambda: _tickets(customer))
    first = tickets[0]
    desk = sign_in(agent)
    desk.goto(f"/console/tickets/{first.number}/")
    desk.evaluate("window.__notReloaded = 'still here'")
    props = desk.locator("#ticket-properties")

    # when: status, priority and "Assign to me", each a click
    props.get_by_role("button", name="Open", exact=True).click()
    expect(desk.locator("#ws-announce")).to_contain_text("Status changed.")
    expect(desk.locator(".ticket-summary")).to_contain_text("Status: Open")
    props.get_by_role("button", name="High", exact=True).click()
    expect(props.get_by_role("button", name="High", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(desk.locator(".ticket-summary")).to_contain_text("Priority: High")
    props.get_by_role("button", name="Assign to me").click()

    # then: saved, shown, counted in the header, and the page never reloaded
    expect(desk.locator("#assignee-title")).to_contain_text("Assignee: Omar")
    expect(props.get_by_role("button", name="Assign to me")).to_have_count(0)
    expect(desk.locator("[data-count=my-tickets] .ws-count-n")).to_have_text("1")
    assert desk.evaluate("window.__notReloaded") == "still here"
    first.refresh_from_db()
    assert (first.status, first.priority, first.assignee_id) == ("open", "high", agent.id)

    # when: "n" switches the composer to an internal note (typing there is not a shortcut)
    desk.keyboard.press("n")
    composer = desk.locator("#composer")
    expect(desk.get_by_label("Message")).to_be_focused()
    expect(desk.locator("#mode-internal")).to_be_checked()
    expect(composer).to_have_css("border-top-style", "dashed")
    expect(composer.get_by_role("button", name="Add internal note")).to_be_visible()
    desk.keyboard.type(NOTE)
    composer.get_by_role("button", name="Add internal note").click()

    # then
    expect(desk.locator(".conversation .msg-internal")).to_contain_text(NOTE)
    expect(desk.locator("#ws-announce")).to_contain_text("Internal note added.")
    expect(desk.get_by_label("Message")).to_have_value("")
    expect(desk.locator("#mode-public")).to_be_checked()
    assert desk.evaluate("window.__notReloaded") == "still here"
    assert first.messages.filter(visibility="internal", body=NOTE).exists()

    # when: Esc leaves the field, "?" lists the shortcuts in a modal dialog
    desk.keyboard.press("Escape")
    desk.keyboard.press("?")
    dialog = desk.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    expect(dialog).to_contain_text("Solve the ticket")
    desk.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()  # focus stays inside
    desk.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # when: j/k walk the open tickets; Enter opens one; s solves it after the confirmation
    desk.goto("/console/?queue=open")
    rows = desk.locator(".ticket-table tbody tr")
    expect(rows).to_have_count(3)
    desk.keyboard.press("j")
    desk.keyboard.press("j")
    desk.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bis-selected\b"))
    desk.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bis-selected\b"))
    target = rows.nth(1).get_attribute("data-href")
    desk.keyboard.press("Enter")
    expect(desk).to_have_url(re.compile(re.escape(target) + "$"))
    asked = []
    desk.once("dialog", lambda question: (asked.append(question.message), question.accept()))
    desk.keyboard.press("s")

    # then
    expect(desk.locator(".ticket-summary")).to_contain_text("Status: Solved")
    assert asked and "solved" in asked[0]
    solved = Ticket.objects.get(number=target.rstrip("/").rsplit("/", 1)[-1])
    assert solved.status == Ticket.Status.SOLVED

    # and "j" on a ticket page goes on to the next ticket of that list
    following = rows_href(desk, 2)
    desk.keyboard.press("j")
    expect(desk).to_have_url(re.compile(re.escape(following) + "$"))


def rows_href(page, index: int) -> str:
    """The list the ticket page came from, as console_shortcuts.js remembered it."""
    return page.evaluate(
        "(i) => JSON.parse(sessionStorage.getItem('beacon.workspace.list'))[i]", index
    )


def test_declining_the_solve_question_changes_nothing_and_a_and_r_work(sign_in, seeded_types):  # noqa: F811
    # given
    customer = make_person("lin@example.test", first_name="Lin")
    agent = make_person("omar@example.test", role=Role.AGENT, first_name="Omar")
    ticket = off_the_browser_loop(lambda: _tickets(customer))[0]
    desk = sign_in(agent)
    desk.goto(f"/console/tickets/{ticket.number}/")
    # when
    desk.once("dialog", lambda question: question.dismiss())
    desk.keyboard.press("s")
    # then
    expect(desk.locator(".ticket-summary")).to_contain_text("Status: New")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW

    # and "a" assigns it to me, "r" opens a public reply
    desk.keyboard.press("a")
    expect(desk.locator("#assignee-title")).to_contain_text("Assignee: Omar")
    desk.keyboard.press("r")
    expect(desk.get_by_label("Message")).to_be_focused()
    expect(desk.locator("#mode-public")).to_be_checked()
    expect(
        desk.locator("#composer").get_by_role("button", name="Send public reply")
    ).to_be_visible()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_workspace_fits_a_390_px_screen(browser, chat_server, seeded_types, language):  # noqa: F811
    # given: an agent with a ticket and two chats open (each chat a column of its own)
    customer = make_person("lin@example.test", first_name="Lin")
    agent = make_person("omar@example.test", role=Role.AGENT, first_name="Omar")
    agent.language = language
    agent.save(update_fields=["language"])
    ticket = off_the_browser_loop(lambda: _tickets(customer))[0]
    for who in ("bob@example.test", "ana@example.test"):
        Conversation.objects.create(
            customer=make_person(who),
            status=Conversation.Status.ACTIVE,
            agent=agent,
            language=language,
            queued_at=timezone.now(),
            assigned_at=timezone.now(),
        )
    context, page = signed_in_context(
        browser, chat_server, agent, viewport=PHONE, is_mobile=True, has_touch=True
    )

    for path in [
        "/console/inbox/",
        "/console/",
        f"/console/tickets/{ticket.number}/",
        "/console/chats/",
        "/console/chats/waiting",
    ]:
        # when
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        if path == "/console/chats/":
            expect(page.locator("[data-column]")).to_have_count(2)
            # the header's presence follows the socket once it is connected
            expect(page.locator("[data-header-presence]")).to_have_class(
                re.compile(r"\bws-presence-online\b")
            )
            expect(page.locator("[data-column] [data-title]").first).to_have_text(
                re.compile(r"^(bob|ana)@example\.test$")
            )
        # then: nothing wider than the screen, and the rail is a menu behind a button
        width = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert width[0] <= width[1], f"{path} overflows at 390 px: {width}"
        menu = page.locator("[data-rail-toggle]")
        expect(menu).to_be_visible()
        expect(page.locator("#ws-rail")).to_be_hidden()
    menu.click()
    expect(page.locator("#ws-rail")).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    context.close()


def test_times_show_in_the_browsers_time_zone(browser, live_server, seeded_types):  # noqa: F811
    # given: an agent who saved no time zone, in a browser in Shanghai
    customer = make_person("lin@example.test", first_name="Lin")
    agent = make_person("omar@example.test", role=Role.AGENT, first_name="Omar")
    ticket = off_the_browser_loop(lambda: _tickets(customer))[0]
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=dt.datetime(2026, 3, 1, 23, 5, tzinfo=dt.UTC)
    )
    context, page = signed_in_context(
        browser,
        live_server.url,
        agent,
        viewport={"width": 1280, "height": 900},
        timezone_id="Asia/Shanghai",
    )
    # when: the first console page tells the server the zone; the next shows it
    page.goto("/console/inbox/")
    page.goto(f"/console/tickets/{ticket.number}/")
    # then
    created = page.locator(".details time[datetime='2026-03-01T23:05:00Z']")
    expect(created).to_have_text("March 2, 2026, 7:05 a.m.")
    expect(created).to_have_attribute("title", re.compile(r"\(Asia/Shanghai\)$"))
    context.close()


def test_a_ticket_page_drawn_with_counts_from_before_a_change_refreshes_them(sign_in, seeded_types):  # noqa: F811
    # given: Omar's console counted three unassigned tickets (kept), then three more arrived
    customer = make_person("lin@example.test", first_name="Lin")
    agent = make_person("omar@example.test", role=Role.AGENT, first_name="Omar")
    first = off_the_browser_loop(lambda: _tickets(customer))[0]
    desk = sign_in(agent)
    desk.goto("/console/?queue=unassigned")
    unassigned = desk.locator("#queue-nav li", has_text="Unassigned").locator(".queue-count")
    expect(unassigned).to_have_text(re.compile(r"^3\b"))
    off_the_browser_loop(lambda: _tickets(customer))
    # when: he opens a ticket (the page is drawn with the kept count, marked stale)
    desk.goto(f"/console/tickets/{first.number}/")
    # then: the rail fetches the current counts by itself
    expect(unassigned).to_have_text(re.compile(r"^6\b"))
