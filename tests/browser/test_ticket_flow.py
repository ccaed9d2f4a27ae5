"""Requests seen through Chromium by the customer, an agent and a supervisor: one request
from submission to complaint, its SLA in words, and the supervisor's dashboard and CSV.

Everyone signs in through the real sign-in page, each in a browser context of their own.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from typing import TypeVar

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps as django_apps
from django.db import connection
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role, User
from accounts.services import user_role_grant
from tickets import services
from tickets.models import Macro, SlaPolicy, Ticket, TicketMessage, TicketType

T = TypeVar("T")

PASSWORD = "correct-horse-battery-staple"
NUMBER = re.compile(r"\d{6}-\d{6}")
ADDRESS = "0x" + "3f" * 20
SUBJECT = "USDT withdrawal not received"
BODY = "I withdrew 25 USDT over ERC20 two hours ago and nothing has arrived."
NOTE = "Checked the hot wallet — internal"
MACRO_TITLE = "Withdrawal found"
MACRO_BODY = (
    "Hello {customer_name},\n\nWe found the withdrawal of request {ticket_number}; "
    "it is being re-sent to your address.\n\nBest regards,\n{agent_name}"
)
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


def signed_in_context(browser: Browser, base_url: str, user: User, **options):
    """(a new browser context with these options, its page) signed in as `user` through
    /accounts/login/; the caller closes the context."""
    context = browser.new_context(base_url=base_url, **options)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return context, page


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
    customer = make_person("alice@example.test", first_name="Alice")
    agent = make_person("agent@example.test", role=Role.AGENT, first_name="Omar")
    supervisor = make_person("supervisor@example.test", role=Role.SUPERVISOR, first_name="Mei")
    screenshot = tmp_path / "screenshot.png"
    screenshot.write_bytes(PNG_BYTES)
    Macro.objects.create(title=MACRO_TITLE, language="en", body=MACRO_BODY)

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

    # The reply the macro makes for this ticket: the customer's and agent's names, its number.
    reply = (
        f"Hello Alice,\n\nWe found the withdrawal of request {number}; "
        "it is being re-sent to your address.\n\nBest regards,\nOmar"
    )

    # --- 2. an agent takes it from Unassigned, adds a note, then replies with a macro --------
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
    desk.get_by_role("button", name="Assign to me").click()
    expect(desk.locator(".messages")).to_contain_text("Assignment saved.")
    expect(desk.locator(".control-title")).to_contain_text("Assignee: Omar")
    expect(desk.get_by_role("button", name="Assign to me")).to_have_count(0)

    # one composer: the toggle makes it an internal note
    desk.locator("#composer").get_by_text("Internal note", exact=True).click()
    desk.get_by_label("Message").fill(NOTE)
    desk.get_by_role("button", name="Add internal note").click()
    expect(desk.locator(".messages")).to_contain_text("Internal note added.")
    expect(desk.locator(".conversation .msg-internal")).to_contain_text(NOTE)

    desk.get_by_label("Canned reply").select_option(label=f"[en] {MACRO_TITLE}")
    expect(desk.get_by_label("Message")).to_have_value(reply)
    desk.get_by_role("button", name="Send public reply").click()
    expect(desk.locator(".messages")).to_contain_text("Reply sent to the customer.")
    expect(desk.locator(".conversation .msg-staff")).to_contain_text(reply, use_inner_text=True)
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
    staff_reply = conversation.locator("li.by-staff")
    expect(staff_reply).to_contain_text(reply, use_inner_text=True)
    expect(staff_reply).not_to_contain_text(re.compile(r"[{}]"))
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


# --- SLA in words, and the supervisor's dashboard ---------------------------------------------

CSV_HEADER = (
    "number,created_at,type,priority,team,status,first_response_minutes,"
    "resolution_minutes,sla_breached,rating,complaint_outcome"
)
AIM = re.compile(r"^We aim to reply by (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) (\S+)\.$")


@pytest.fixture
def first_response_in_an_hour(seeded_types) -> SlaPolicy:
    """The catch-all policy: any type, any priority, a first reply within 60 minutes."""
    return SlaPolicy.objects.create(name="Any request", first_response_minutes=60)


def off_the_browser_loop(work: Callable[[], T]) -> T:
    """Run set-up that goes through the services in a thread of its own.

    Playwright's sync API keeps an event loop running in the test thread, and the services
    broadcast after commit through async_to_sync, which refuses such a thread.
    """

    def run() -> T:
        try:
            return work()
        finally:
            connection.close()  # the thread's own connection; teardown flushes the tables

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def withdrawal_request(customer: User) -> Ticket:
    return services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="withdrawal-problem"),
        subject=SUBJECT,
        body=BODY,
        field_values={
            "uid": str(customer.uid),
            "coin": "USDT",
            "network": "ERC20",
            "amount": "25",
            "address": ADDRESS,
        },
    )


def answered_solved_and_rated(customer: User, agent: User) -> Ticket:
    ticket = withdrawal_request(customer)
    services.ticket_reply(actor=agent, ticket=ticket, body="It is being re-sent.")
    services.ticket_change_status(actor=customer, ticket=ticket, status=Ticket.Status.SOLVED)
    return services.ticket_rate(actor=customer, ticket=ticket, rating=4)


def test_new_request_shows_its_sla_to_agent_and_customer(sign_in, first_response_in_an_hour):
    # given: a new withdrawal request under a one-hour first-response target
    customer = make_person("alice@example.test", first_name="Alice")
    agent = make_person("agent@example.test", role=Role.AGENT, first_name="Omar")
    number = off_the_browser_loop(lambda: withdrawal_request(customer)).number

    # when: the customer opens the request
    me = sign_in(customer)
    me.goto(f"/requests/{number}/")

    # then: they are told when to expect a reply: an hour after they submitted it
    aim = me.get_by_test_id("reply-aim")
    expect(aim).to_have_text(AIM)
    submitted = me.locator(".facts time").first.inner_text()
    due, zone = AIM.match(aim.inner_text()).groups()
    reply_by = dt.datetime.strptime(due, "%Y-%m-%d %H:%M") - dt.timedelta(hours=1)
    assert submitted == f"{reply_by:%Y-%m-%d %H:%M} {zone}"

    # when: an agent opens Unassigned
    desk = sign_in(agent)
    desk.goto("/console/")
    desk.get_by_role("navigation", name="Views").get_by_role(
        "link", name=re.compile(r"^Unassigned\b")
    ).click()

    # then: the ticket's row says in words which target runs and that it is on track
    row = desk.locator(".ticket-table tbody tr", has_text=number)
    expect(row.locator(".sla")).to_have_text(re.compile(r"^On track · First response: .+ left$"))


def test_supervisor_reads_dashboard_and_exports_csv(sign_in, first_response_in_an_hour, tmp_path):
    # given: a request answered, solved and rated 4 today, within its SLA
    customer = make_person("alice@example.test", first_name="Alice")
    agent = make_person("agent@example.test", role=Role.AGENT, first_name="Omar")
    supervisor = make_person("supervisor@example.test", role=Role.SUPERVISOR, first_name="Mei")
    ticket = off_the_browser_loop(lambda: answered_solved_and_rated(customer, agent))

    # when: the supervisor follows "Dashboard" from the console's queue list
    boss = sign_in(supervisor)
    boss.goto("/console/")
    boss.get_by_role("navigation", name="Views").get_by_role("link", name="Dashboard").click()

    # then: the summary figures and the charts, each with its table of numbers
    expect(boss.get_by_role("heading", level=1)).to_have_text("Support dashboard")
    expect(boss.get_by_test_id("kpi-tickets")).to_have_text("1")
    expect(boss.get_by_test_id("kpi-compliance")).to_have_text("100.0 %")
    expect(boss.get_by_test_id("kpi-first-response")).to_have_text(re.compile(r"^\d+ min$"))
    expect(boss.get_by_test_id("kpi-resolution")).to_have_text(re.compile(r"^\d+ min$"))
    expect(boss.get_by_test_id("kpi-csat")).to_have_text("4.0 / 5")
    by_type = boss.get_by_role("figure", name="By request type")
    expect(by_type.get_by_role("table", name="By request type")).to_be_visible()
    expect(by_type.get_by_role("row", name="Withdrawal problem 100.0 % (1/1)")).to_be_visible()
    ratings = boss.get_by_role("figure", name="Ratings")
    expect(ratings.get_by_role("row", name="4 ★ 1")).to_be_visible()
    # The range ends today (in the viewer's time zone) unless they pick another end.
    today = dt.date.fromisoformat(boss.get_by_label("To").input_value())

    # when: they pick a month long past
    boss.get_by_label("From").fill("2024-01-01")
    boss.get_by_label("To").fill("2024-01-31")
    boss.get_by_role("button", name="Show").click()

    # then: nothing was created then
    expect(boss).to_have_url(re.compile(r"[?&]from=2024-01-01&to=2024-01-31\b"))
    expect(boss.get_by_test_id("kpi-tickets")).to_have_text("0")
    expect(by_type).to_contain_text("No data in this range.")

    # when: they pick the last seven days
    week_start = today - dt.timedelta(days=6)
    boss.get_by_label("From").fill(week_start.isoformat())
    boss.get_by_label("To").fill(today.isoformat())
    boss.get_by_role("button", name="Show").click()

    # then: the request is counted again
    expect(boss).to_have_url(re.compile(rf"[?&]from={week_start}&to={today}\b"))
    expect(boss.get_by_test_id("kpi-tickets")).to_have_text("1")

    # and: download the CSV of that range
    with boss.expect_download() as download_info:
        boss.get_by_role("button", name="Export CSV").click()
    download = download_info.value

    # then: a spreadsheet of the range, with its header row and the request in it
    assert download.suggested_filename == f"beacon-tickets-{week_start}-{today}.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0] == CSV_HEADER
    rows = {row["number"]: row for row in csv.DictReader(lines)}
    assert list(rows) == [ticket.number]
    assert rows[ticket.number]["type"] == "withdrawal-problem"
    assert rows[ticket.number]["status"] == "solved"
    assert rows[ticket.number]["sla_breached"] == "no"
    assert rows[ticket.number]["rating"] == "4"
