"""Right-to-left overrides and other bidirectional controls are removed from what customers
write before it is stored (core.text.plain_text), so no page, API answer, socket frame or
email shows a link or an address reversed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.services import user_role_grant
from tickets import services
from tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]
RLO, PDF, RLI, PDI, LRM = "\u202e", "\u202c", "\u2067", "\u2069", "\u200e"
# Displays as "Refund sent, see beacon-support.com/moc.ecnatpecca": the host is reversed.
DISGUISED = f"Refund sent, see {RLO}moc.ecnatpecca/moc.troppus-nocaeb{PDF}"


def test_a_new_request_keeps_no_bidi_control_in_subject_body_or_fields(
    client, customer, withdrawal_values
):
    # given
    client.force_login(customer)
    values = withdrawal_values(customer)
    values["address"] = f"{LRM}{values['address']}"  # invisible in front of the address
    # when
    client.post(
        reverse("tickets:new"),
        {
            "type": "withdrawal-problem",
            "subject": DISGUISED,
            "body": f"Please pay to {RLI}the address below{PDI}.",
            **values,
        },
    )
    # then
    ticket = Ticket.objects.get(requester=customer)
    first = ticket.messages.get()
    assert ticket.subject == "Refund sent, see moc.ecnatpecca/moc.troppus-nocaeb"
    assert first.body == "Please pay to the address below."
    assert ticket.fields["address"] == withdrawal_values(customer)["address"]


def test_an_agent_sees_a_customers_reply_without_the_override(
    customer, ticket_factory, user_factory
):
    # given
    agent = user_factory(email="agent@example.test")
    user_role_grant(user=agent, role=Role.AGENT)
    ticket = ticket_factory(customer)
    services.ticket_reply(actor=customer, ticket=ticket, body=DISGUISED)
    console = Client()
    console.force_login(agent)
    # when
    page = console.get(reverse("tickets:console-ticket", args=[ticket.number])).content.decode()
    # then
    assert "moc.ecnatpecca/moc.troppus-nocaeb" in page
    assert not any(control in page for control in (RLO, PDF))


def test_a_rating_comment_loses_its_override(customer, ticket_factory):
    # given
    ticket = ticket_factory(customer)
    services.ticket_change_status(actor=customer, ticket=ticket, status=Ticket.Status.SOLVED)
    # when
    rated = services.ticket_rate(actor=customer, ticket=ticket, rating=1, comment=DISGUISED)
    # then
    assert RLO not in rated.rating_comment and PDF not in rated.rating_comment
