"""Staff without the 2FA the console needs may not work tickets through the customer
pages either: /requests/<number>/ and /attachments/<id>/ ask the same TicketPolicy, and
treated an agent who had not set up 2FA as an agent (issue 13's access matrix found it)."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from accounts.models import Role, User
from accounts.services import user_role_grant
from tickets.models import TicketMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_rule_on(settings):
    settings.BEACON_STAFF_MFA_REQUIRED = True


@pytest.fixture
def agent_without_2fa(user_factory) -> User:
    agent = user_factory(email="agent@beacon.test")
    user_role_grant(user=agent, role=Role.AGENT)
    return agent


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_without_2fa_cannot_read_or_answer_a_customers_request_on_its_pages(
    customer, ticket_factory, png_file, private_media, agent_without_2fa, staff_rule_on
):
    # given: a customer's team-less request (any agent's to work) with a screenshot
    ticket = ticket_factory(customer, files=[png_file()])
    attachment = ticket.messages.get().attachments.get()
    client = signed_in(agent_without_2fa)
    messages = TicketMessage.objects.count()
    # when / then: the customer pages answer as to any other customer
    assert client.get(f"/requests/{ticket.number}/").status_code == 404
    assert client.get(f"/attachments/{attachment.id}/").status_code == 404
    reply = client.post(f"/requests/{ticket.number}/reply", {"body": "Hello from staff"})
    status = client.post(f"/requests/{ticket.number}/status", {"status": "solved"})
    assert (reply.status_code, status.status_code) == (404, 404)
    ticket.refresh_from_db()
    assert TicketMessage.objects.count() == messages and ticket.status != "solved"


def test_staff_with_2fa_see_it_and_staff_without_still_see_their_own_requests(
    customer, ticket_factory, agent_without_2fa, staff_rule_on
):
    # given: the agent's own request, filed as a customer
    theirs = ticket_factory(agent_without_2fa, subject="My own withdrawal")
    customers = ticket_factory(customer)
    client = signed_in(agent_without_2fa)
    # then: their own is theirs; the customer's opens once they have a factor
    assert client.get(f"/requests/{theirs.number}/").status_code == 200
    TOTP.activate(agent_without_2fa, generate_totp_secret())
    assert client.get(f"/requests/{customers.number}/").status_code == 200
