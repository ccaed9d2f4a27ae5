"""What the console reads in merged statements (issue 19) still shows what it did: the
workspace header's counts and presence (one statement), and the ticket page's requester
panel, their other recent tickets and the macros (read with the ticket itself)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccountFreeze, KycSubmission, ReviewStatus, Role
from livechat.models import AgentPresence, Conversation
from notifications.models import BouncingAddress
from tests.perf.helpers import client_for, make_user
from tests.perf.test_query_counts import TICKET_VIEW_MAX
from tickets import services
from tickets.models import Macro, TicketType

pytestmark = pytest.mark.django_db


def chat(*, agent=None, status: str) -> Conversation:
    now = timezone.now()
    return Conversation.objects.create(
        customer=None,
        visitor_key="v" * 64,
        status=status,
        agent=agent,
        queued_at=now,
        assigned_at=now if agent else None,
    )


def header_counts(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-count="([\w-]+)"><span class="ws-count-n">(\d+)</span>', html))


def test_the_header_shows_my_work_the_waiting_chats_and_my_presence():
    # given: an agent with one open ticket, one active chat, away; two chats waiting
    agent = make_user("agent@example.test", Role.AGENT)
    customer = make_user("customer@example.test")
    other = TicketType.objects.get(slug="other")
    mine = services.ticket_create(
        requester=customer, ticket_type=other, subject="Q", body="?", field_values={}
    )
    services.ticket_assign(actor=agent, ticket=mine, assignee=agent)
    AgentPresence.objects.create(agent=agent, staff_id="S-1", status=AgentPresence.Status.AWAY)
    chat(agent=agent, status=Conversation.Status.ACTIVE)
    chat(status=Conversation.Status.QUEUED)
    chat(status=Conversation.Status.QUEUED)
    # when
    html = client_for(agent).get("/console/?queue=all").content.decode()
    # then
    assert header_counts(html) == {"my-tickets": "1", "my-chats": "1", "waiting-chats": "2"}
    assert "ws-presence-away" in html


def test_the_header_of_staff_without_chats_shows_only_their_tickets():
    reviewer = make_user("reviewer@example.test", Role.SECURITY_REVIEWER)
    html = client_for(reviewer).get("/console/?queue=all").content.decode()
    assert header_counts(html) == {"my-tickets": "0"}
    assert "ws-presence" not in html


def test_the_ticket_page_reads_its_side_panels_with_the_ticket():
    # given: a requester with 2FA, KYC level 2 (level 3 refused), a freeze, a bouncing
    # address, and six other requests; macros in both languages, one turned off
    agent = make_user("agent@example.test", Role.AGENT)
    customer = make_user("Customer@Example.test")
    Authenticator.objects.create(user=customer, type=Authenticator.Type.TOTP, data={"s": "X"})
    for level, status in (
        (1, ReviewStatus.APPROVED),
        (2, ReviewStatus.APPROVED),
        (3, ReviewStatus.REJECTED),
    ):
        KycSubmission.objects.create(
            user=customer,
            level=level,
            status=status,
            legal_name="Li Lei",
            birth_date=dt.date(1990, 1, 2),
            nationality="CN",
        )
    AccountFreeze.objects.create(user=customer, source="security_page", reason="")
    BouncingAddress.objects.create(
        email=customer.email.lower(), last_bounced_at=timezone.now(), reason="550 5.1.1 unknown"
    )
    other = TicketType.objects.get(slug="other")
    tickets = [
        services.ticket_create(
            requester=customer,
            ticket_type=other,
            subject=f"Question {n}",
            body="?",
            field_values={},
        )
        for n in range(7)
    ]
    viewed = tickets[0]
    Macro.objects.create(title="Zh hello", language="zh-hans", body="您好 {customer_name}")
    Macro.objects.create(title="Hello", language="en", body="Hello {ticket_number}")
    Macro.objects.create(title="Old", language="en", body="Gone", is_active=False)
    client = client_for(agent)
    assert client.get(f"/console/tickets/{viewed.number}/").status_code == 200  # warm-up
    # when
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/console/tickets/{viewed.number}/")
    # then: what the panels show
    view = response.context["view"]
    assert view.requester_security.mfa_enabled is True
    assert view.requester_security.kyc_level == 2
    assert view.requester_security.freeze is not None
    assert view.requester_security.email_bounce.reason == "550 5.1.1 unknown"
    assert [t.number for t in view.requester_recent] == [t.number for t in tickets[:1:-1]]
    assert [t.get_status_display() for t in view.requester_recent] == ["New"] * 5
    assert [(m.title, text) for m, text in view.macros] == [
        ("Hello", f"Hello {viewed.number}"),
        ("Zh hello", "您好 customer"),
    ]
    html = response.content.decode()
    assert 'data-testid="email-bounces"' in html and "Frozen" in html
    assert f"?macro={view.macros[0][0].id}" in html
    # and the freeze and the bounce record are the only reads beyond a plain requester's
    assert len(captured.captured_queries) <= TICKET_VIEW_MAX + 2
