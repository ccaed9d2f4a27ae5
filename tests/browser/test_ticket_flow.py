"""One request from submission to complaint, seen by the customer, an agent and a supervisor.

Everyone signs in through the real sign-in page, each in a browser context of their own.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable, Iterator
from importlib import import_module

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps as django_apps
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role, User
from accounts.services import user_role_grant
from tickets.models import Ticket, TicketMessage

PASSWORD = "correct-horse-battery-staple"
NUMBER = re.compile(r"\d{6}-\d{6}")
ADDRESS = "0x" + "3f" * 20
SUBJECT = "USDT withdrawal not received"
BODY = "I withdrew 25 USDT over ERC20 two hours ago and nothing has arrived."
NOTE = "Checked the hot wallet — internal"
REPLY = "We found your withdrawal; it is being re-sent."
RATING_COMMENT = "Quick and clear, thank you."
COMPLAINT = "It took three days before anyone looked at my withdrawal."


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# A real 1×1 RGBA PNG: signature, IHDR, one IDAT row (filter byte + 4 bytes), IEND.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00\xff"))
    + _png_chunk(b"IEND", b"")
)


@pytest.fixture
def private_media(settings, tmp_path):
    """Uploads land in the test's own folder, not in var/private."""
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def make_person(email: str, *, role: Role | None = None, first_name: str = "") -> User:
    """A user allauth lets in: password set, email verified."""
    user = User.objects.create_user(email, PASSWORD, first_name=first_name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role is not None:
        user_role_grant(user=user, role=role)
    return user


@pytest.fixture
def sign_in(browser: Browser, live_server) -> Iterator[Callable[[User], Page]]:
    """A fresh browser context per person, signed in through /accounts/login/."""
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
        expect(page.locator("header .account-link")).to_have_attribute("title", f"UID {user.uid}")
        return page

    yield open_for
    for context in contexts:
        context.close()


@pytest.fixture
def seeded_types(transactional_db) -> None:
    """The request types a migration seeds. Live-server tests run on a database that earlier
    live-server tests flushed (migration data included), so they are seeded again, the way the
    migration does it (get_or_create: a no-op when they are still there).

    Not `serialized_rollback=True`: after a flush, post_migrate recreates content types under
    new ids and restoring the snapshot then fails on their unique (app_label, model).
    """
    import_module("tickets.migrations.0002_ticket_types").create(django_apps, None)


def test_request_from_submission_to_complaint(sign_in, seeded_types, private_media, tmp_path):
    customer = make_person("alice@example.test")
    agent = make_person("agent@example.test", role=Role.AGENT, first_name="Omar")
    supervisor = make_person("supervisor@example.test", role=Role.SUPERVISOR, first_name="Mei")
    screenshot = tmp_path / "screenshot.png"
    screenshot.write_bytes(PNG_BYTES)

    # --- 1. the customer submits a withdrawal problem with a screenshot ------------------------
    me = sign_in(customer)
    me.goto("/requests/new/")
    me.get_by_label("What is your request about?").select_option(label="Withdrawal problem")

    # then: the type's questions appear (htmx), the UID already filled in
    expect(me.get_by_label("Coin")).to_be_visible()
    expect(me.get_by_label("UID")).to_have_value(str(customer.uid))

    # when
    me.get_by_label("Coin").fill("USDT")
    me.get_by_label("Network").select_option("ERC20")
    me.get_by_label("Amount").fill("25")
    me.get_by_label("Address").fill(ADDRESS)
    me.get_by_label("Subject").fill(SUBJECT)
    me.get_by_label("Describe the problem").fill(BODY)
    me.get_by_label("Attachments").set_input_files(screenshot)
    me.get_by_role("button", name="Send request").click()

    # then
    expect(me.get_by_role("heading", level=1)).to_have_text("We received your request")
    ticket_number = me.get_by_test_id("ticket-number")
    expect(ticket_number).to_have_text(re.compile(rf"^\s*{NUMBER.pattern}\s*$"))
    number = ticket_number.inner_text().strip()
    expect(me).to_have_url(re.compile(rf"/requests/created/{number}/$"))
    ticket = Ticket.objects.get(number=number)
    assert ticket.requester == customer
    assert ticket.type.slug == "withdrawal-problem"
    assert ticket.fields == {
        "uid": str(customer.uid),
        "coin": "USDT",
        "network": "ERC20",
        "amount": "25",
        "address": ADDRESS,
    }

    # --- 2. an agent takes it from Unassigned, adds a note, then replies ----------------------
    desk = sign_in(agent)
    desk.goto("/console/")
    desk.get_by_role("navigation", name="Views").get_by_role(
        "link", name=re.compile(r"^Unassigned\b")
    ).click()
    expect(desk.locator("#queue-heading")).to_contain_text("Unassigned")
    row = desk.locator(".ticket-table tbody tr", has_text=number)
    expect(row).to_contain_text(SUBJECT)
    row.get_by_role("link", name=number, exact=True).click()

    expect(desk.locator("h1.ticket-title")).to_have_text(SUBJECT)
    expect(desk.locator(".ticket-summary .ticket-number")).to_have_text(number)
    desk.get_by_role("button", name="Take it").click()
    expect(desk.locator(".messages")).to_contain_text("Assignment saved.")
    expect(desk.locator(".control-title")).to_contain_text("Assignee: Omar")
    expect(desk.get_by_role("button", name="Take it")).to_have_count(0)

    desk.get_by_label("Message").fill(NOTE)
    desk.get_by_role("button", name="Add internal note").click()
    expect(desk.locator(".messages")).to_contain_text("Internal note added.")
    expect(desk.locator(".conversation .msg-internal")).to_contain_text(NOTE)

    desk.get_by_label("Message").fill(REPLY)
    desk.get_by_role("button", name="Send public reply").click()
    expect(desk.locator(".messages")).to_contain_text("Reply sent to the customer.")
    expect(desk.locator(".conversation .msg-staff")).to_contain_text(REPLY)
    expect(desk.locator(".ticket-summary")).to_contain_text("Status: Waiting on customer")
    visibilities = list(ticket.messages.order_by("id").values_list("visibility", flat=True))
    assert visibilities == [
        TicketMessage.Visibility.PUBLIC,
        TicketMessage.Visibility.INTERNAL,
        TicketMessage.Visibility.PUBLIC,
    ]

    # --- 3. the customer reads the reply, not the note; gets the screenshot; solves; rates ----
    me.goto(f"/requests/{number}/")
    conversation = me.locator("#conversation")
    expect(conversation.locator("li.by-staff")).to_contain_text(REPLY)
    expect(me.locator("body")).not_to_contain_text("hot wallet")
    expect(me.locator("body")).not_to_contain_text("Internal note")
    assert "hot wallet" not in me.content()

    link = conversation.get_by_role("link", name="screenshot.png")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href
    download = me.request.get(href)
    assert download.status == 200
    assert download.headers["content-type"] == "image/png"
    assert download.body() == PNG_BYTES

    me.get_by_role("button", name="Mark as solved").click()
    expect(me.locator(".messages")).to_contain_text("Your request is now: Solved.")
    expect(me.get_by_test_id("status")).to_have_text("Solved")

    rating = me.locator("#rating")
    rating.get_by_label("5 – Very satisfied").check()
    rating.get_by_label("Anything you would like to tell us?").fill(RATING_COMMENT)
    rating.get_by_role("button", name="Send rating").click()
    expect(me.locator(".messages")).to_contain_text("Thank you for rating our help.")
    expect(me.locator("#rating")).to_contain_text("You rated this request 5 out of 5.")
    expect(me.locator("#rating").get_by_label("5 – Very satisfied")).to_be_checked()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.rating_comment) == (
        Ticket.Status.SOLVED,
        5,
        RATING_COMMENT,
    )

    # --- 4. the customer complains; a supervisor finds it under Complaints --------------------
    me.get_by_text("Complain about how this was handled").click()
    complaint_box = me.locator("#complaint")
    complaint_box.get_by_label("What went wrong with how your request was handled?").fill(COMPLAINT)
    complaint_box.get_by_role("button", name="Send complaint").click()

    expect(me).to_have_url(re.compile(rf"/requests/{NUMBER.pattern}/$"))
    complaint_number = me.url.rstrip("/").rsplit("/", 1)[-1]
    assert complaint_number != number
    expect(me.locator(".messages")).to_contain_text(
        f"We received your complaint {complaint_number}."
    )
    expect(me.get_by_role("heading", level=1)).to_have_text(f"Complaint about request {number}")
    expect(me.locator(".facts").get_by_role("link", name=number, exact=True)).to_have_attribute(
        "href", f"/requests/{number}/"
    )
    expect(me.locator("#conversation")).to_contain_text(COMPLAINT)

    boss = sign_in(supervisor)
    boss.goto("/console/")
    boss.get_by_role("navigation", name="Views").get_by_role(
        "link", name=re.compile(r"^Complaints\b")
    ).click()
    expect(boss.locator("#queue-heading")).to_contain_text("Complaints")
    row = boss.locator(".ticket-table tbody tr", has_text=complaint_number)
    expect(row).to_contain_text(f"Complaint about request {number}")
    row.get_by_role("link", name=complaint_number, exact=True).click()

    expect(boss.locator(".ticket-summary .ticket-number")).to_have_text(complaint_number)
    expect(boss.locator(".ticket-summary .badge-complaint")).to_have_text("Complaint")
    expect(boss.locator("h1.ticket-title")).to_contain_text(number)
    details = boss.locator(".ticket-side .details").first
    expect(details.get_by_role("link", name=number, exact=True)).to_have_attribute(
        "href", f"/console/tickets/{number}/"
    )
    expect(boss.locator(".conversation .msg-customer")).to_contain_text(COMPLAINT)
