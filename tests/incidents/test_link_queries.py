"""While an incident is active, every customer message is matched against it: one about
something else reads nothing more, and the request type still decides a match it can."""

from __future__ import annotations

import pytest

from incidents import matching
from incidents.models import IncidentLink
from incidents.receivers import link_ticket
from tests.incidents.test_incidents import incident, lead  # noqa: F401  (fixtures)
from tickets.models import Ticket, TicketMessage, TicketType
from tickets.services import ticket_create, ticket_reply

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("incident")]


def _withdrawal_about_eth(user) -> Ticket:
    ticket = ticket_create(
        requester=user,
        ticket_type=TicketType.objects.get(slug="withdrawal-problem"),
        subject="Still waiting",
        body="Nothing has arrived yet.",
        field_values={
            "uid": str(user.uid),
            "coin": "ETH",
            "network": "ERC20",
            "amount": "1",
            "address": "0x" + "b" * 40,
        },
        language="en",
    )
    return Ticket.objects.get(pk=ticket.pk)  # loaded afresh, as a reply's request does


def test_a_reply_about_something_else_costs_the_matching_no_query(
    user_factory, django_assert_num_queries
):
    customer = user_factory(email="eth@example.test")
    ticket = _withdrawal_about_eth(customer)
    reply = TicketMessage(ticket=ticket, author=customer, body="Any news on my transfer?")
    assert matching.active_incidents()  # the incident, cached as every message finds it
    with django_assert_num_queries(0):  # not the request type's either
        link_ticket(sender=TicketMessage, instance=reply, created=True)
    assert not IncidentLink.objects.filter(ticket=ticket).exists()


def test_the_request_type_still_makes_a_reply_naming_the_coin_certain(user_factory):
    # A withdrawal request (the incident's feature) that names the coin only in a reply.
    customer = user_factory(email="usdt@example.test")
    ticket = _withdrawal_about_eth(customer)
    assert not IncidentLink.objects.filter(ticket=ticket).exists()
    ticket_reply(actor=customer, ticket=ticket, body="Sorry, it was USDT, not ETH.")
    link = IncidentLink.objects.get(ticket=ticket)
    assert link.state == IncidentLink.State.LINKED and link.why == "coin+feature"
