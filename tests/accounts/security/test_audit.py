"""The audit trail: a customer's own actions carry their address and browser; what staff
did to the account names the staff member but keeps their address off the customer's trail."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from accounts.audit import security_event_record
from accounts.models import SecurityEvent

pytestmark = pytest.mark.django_db


def request_from(ip: str, agent: str):
    return RequestFactory().post("/", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)


def test_the_customers_own_action_records_where_it_came_from(user_factory):
    customer = user_factory(email="own@example.test")
    event = security_event_record(
        user=customer,
        kind=SecurityEvent.Kind.CODE_SET,
        request=request_from("203.0.113.7", "Firefox/120"),
    )
    assert (event.ip, event.user_agent, event.actor) == ("203.0.113.7", "Firefox/120", None)


def test_a_staff_action_names_the_staff_member_without_their_address(user_factory):
    customer = user_factory(email="them@example.test")
    agent = user_factory(email="agent@example.test")
    event = security_event_record(
        user=customer,
        kind=SecurityEvent.Kind.FROZEN,
        request=request_from("10.1.2.3", "Chrome/120 (office)"),
        actor=agent,
    )
    assert event.actor == agent
    assert event.ip is None and event.user_agent == ""
