"""The console's queue page (/console/?queue=all) fits a 390 px screen, in English and
Chinese: a supervisor's queue with long subjects, an unbroken 64-digit TXID, long email
addresses, a nameless assignee and SLA badges (on track, at risk, breached), in a plain
390 px window and under mobile emulation, is never wider than the window. At 1280 px the
queue is still a table.

What widened it (431 to 559 px) was not the visually hidden thead (it is clipped: its
cells' boxes reach past the edge but add nothing to the scroll width) but the cards'
value column, about 180 px: the SLA badge's words never wrapped (white-space: nowrap)
and an unbroken name (an assignee without one is their address's local part) ran past
the card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from tickets import services
from tickets.models import SlaPolicy, Ticket, TicketType

from .conftest import DESKTOP, PHONE
from .test_ticket_flow import (  # noqa: F401 (fixtures)
    make_person,
    off_the_browser_loop,
    seeded_types,
    signed_in_context,
)

TXID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
SUBJECTS = [
    "Withdrawal not received",
    f"Deposit {TXID} missing",
    "提现一直没有到账，已经等了三个小时，请帮忙查一下这笔交易的状态谢谢",
    "A very long subject about a withdrawal that has been pending for far too long now",
]

# For the failure message: the text that reaches past the window's right edge (text, not
# boxes: a box can stay inside its card while its unwrapped words run out of it), outside
# what is clipped away on purpose (the hidden thead and caption).
OVERFLOWING = """() => {
  const limit = document.documentElement.clientWidth;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node; (node = walker.nextNode()) && found.length < 10;) {
    const parent = node.parentElement;
    if (!node.textContent.trim() || parent.closest("thead, caption, .visually-hidden")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const right = range.getBoundingClientRect().right;
    if (right > limit + 0.5) {
      found.push(`${parent.tagName.toLowerCase()}.${parent.className} "${node.textContent.trim().slice(0, 40)}" right=${Math.round(right)}`);
    }
  }
  return found;
}"""


def _tickets(customer) -> list[Ticket]:
    kind = TicketType.objects.get(slug="other")
    return [
        services.ticket_create(
            requester=customer, subject=subject, body="Help.", ticket_type=kind, field_values={}
        )
        for subject in SUBJECTS
    ]


@pytest.fixture
def supervisor_with_queue(seeded_types):  # noqa: F811
    customer = make_person(
        "a.very.long.customer.address.with.many.parts@subdomain.example-exchange.test",
        first_name="Wilhelmina-Alexandra",
    )
    other = make_person(f"{TXID}@example.test")
    # no name: the queue calls them by their address's local part, one unbroken word
    agent = make_person(
        "an.agent.with.a.remarkably.long.address.and.no.name@support.example-exchange.test",
        role=Role.AGENT,
    )
    supervisor = make_person("mei@example.test", role=Role.SUPERVISOR, first_name="Mei")
    # every ticket on an SLA clock, so each card shows its badge in words
    SlaPolicy.objects.create(name="Any request", first_response_minutes=60)
    tickets = off_the_browser_loop(lambda: _tickets(customer) + _tickets(other))
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[::2]]).update(assignee=agent)
    # and some of them breached long ago or at risk: the longest badges
    now = timezone.now()
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[:2]]).update(
        sla_due_at=now - dt.timedelta(days=12, hours=23)
    )
    Ticket.objects.filter(pk=tickets[2].pk).update(
        sla_due_at=now + dt.timedelta(hours=23), sla_warn_at=now - dt.timedelta(minutes=5)
    )
    return supervisor


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "window",
    [{"viewport": PHONE}, {"viewport": PHONE, "is_mobile": True, "has_touch": True}],
    ids=["plain", "mobile"],
)
def test_the_queue_fits_a_390_px_window(
    browser, live_server, supervisor_with_queue, language, window
):
    # given: a supervisor reading the console in their language, in a 390 px window
    supervisor = supervisor_with_queue
    supervisor.language = language
    supervisor.save(update_fields=["language"])
    context, page = signed_in_context(browser, live_server.url, supervisor, **window)

    # when
    page.goto("/console/?queue=all")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".ticket-table tbody tr")).to_have_count(2 * len(SUBJECTS))

    # then: the page is no wider than the window; the table is a column of cards
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"/console/?queue=all is {width} px wide: {page.evaluate(OVERFLOWING)}"
    assert page.evaluate("document.documentElement.clientWidth") == 390
    expect(page.locator(".ticket-table tbody tr").first).to_have_css("display", "block")
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_queue_is_a_table_at_1280_px(browser, live_server, supervisor_with_queue, language):
    supervisor = supervisor_with_queue
    supervisor.language = language
    supervisor.save(update_fields=["language"])
    context, page = signed_in_context(browser, live_server.url, supervisor, viewport=DESKTOP)

    page.goto("/console/?queue=all")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".ticket-table thead")).to_be_visible()
    expect(page.locator(".ticket-table tbody tr").first).to_have_css("display", "table-row")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    context.close()
