"""How SLA clocks read: the state words on agents' lists, the aim on the customer's page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tickets import services
from tickets.models import SlaPolicy, Ticket, TicketType
from tickets.sla.display import sla_status

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


def clocked(**fields) -> Ticket:
    """An unsaved ticket whose soonest clock is the first response."""
    base = {"status": Ticket.Status.OPEN, "sla_target": "first_response", "sla_policy_id": 1}
    return Ticket(**{**base, **fields})


@pytest.mark.parametrize(
    ("warn", "due", "state", "text"),
    [
        (
            NOW + dt.timedelta(minutes=30),
            NOW + dt.timedelta(hours=3, minutes=20),
            "on_track",
            "3 h 20 min left",
        ),
        (NOW - dt.timedelta(minutes=5), NOW + dt.timedelta(minutes=8), "at_risk", "8 min left"),
        (
            NOW - dt.timedelta(hours=2),
            NOW - dt.timedelta(days=2, hours=4),
            "breached",
            "breached 2 d 4 h ago",
        ),
    ],
)
def test_sla_status_says_the_state_in_words(warn, due, state, text):
    # when
    status = sla_status(clocked(sla_warn_at=warn, sla_due_at=due), NOW)
    # then
    assert (status.state, status.text, str(status.target)) == (state, text, "First response")


def test_sla_status_of_a_ticket_waiting_on_the_customer_is_paused():
    # when
    status = sla_status(clocked(status=Ticket.Status.PENDING, sla_paused_at=NOW), NOW)
    # then
    assert status.state == "paused" and str(status.label) == "Paused"


def test_sla_status_is_none_without_a_policy():
    assert sla_status(Ticket(status=Ticket.Status.OPEN), NOW) is None


@pytest.mark.django_db
def test_customer_sees_when_we_aim_to_reply_in_their_time_zone():
    # given
    customer = User.objects.create_user("c@example.test", "pw-long-enough-1")
    User.objects.filter(id=customer.id).update(time_zone="Asia/Shanghai")
    SlaPolicy.objects.create(name="Any", first_response_minutes=120)
    ticket = services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Where is my deposit?",
        body="Please check.",
        field_values={},
    )
    client = Client()
    client.force_login(customer)
    # when
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    # then
    due = timezone.localtime(
        ticket.created_at + dt.timedelta(minutes=120), dt.timezone(dt.timedelta(hours=8))
    )
    aim = re.search(r'data-testid="reply-aim">([^<]+)<', page)[1]
    assert aim == f"We aim to reply by {due:%Y-%m-%d %H:%M} CST."
