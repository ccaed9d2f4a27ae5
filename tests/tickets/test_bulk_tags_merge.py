from __future__ import annotations

import pytest

from accounts.models import Role, User
from accounts.services import user_role_grant
from core.exceptions import ApplicationError
from tickets import services
from tickets.models import Ticket, TicketAttachment, TicketMessage, TicketType

pytestmark = pytest.mark.django_db


def person(email: str, role: Role | None = None) -> User:
    user = User.objects.create_user(email, "pw-long-enough-1")
    if role:
        user_role_grant(user=user, role=role)
    return user


def ticket_of(customer: User, subject: str = "Help") -> Ticket:
    return services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="other"),
        subject=subject,
        body=f"About {subject}",
        field_values={},
    )


@pytest.fixture
def agent():
    return person("agent@example.test", Role.AGENT)


@pytest.fixture
def customer():
    return person("c@example.test")


def test_ticket_tag_adds_removes_and_rejects_bad_tags(agent, customer):
    ticket = services.ticket_tag(actor=agent, ticket=ticket_of(customer), add=["VIP", "usdt"])
    assert ticket.tags == ["vip", "usdt"]
    ticket = services.ticket_tag(actor=agent, ticket=ticket, remove=["vip"])
    assert ticket.tags == ["usdt"]
    with pytest.raises(ApplicationError):
        services.ticket_tag(actor=agent, ticket=ticket, add=["<script>"])
    ticket.refresh_from_db()
    assert ticket.tags == ["usdt"]


def test_ticket_merge_moves_messages_and_closes_the_source(agent, customer):
    # given
    keep, extra = ticket_of(customer, "Keep"), ticket_of(customer, "Extra")
    # when
    services.ticket_merge(actor=agent, source=extra, target=keep)
    # then
    extra.refresh_from_db()
    assert (extra.status, extra.merged_into) == (Ticket.Status.CLOSED, keep)
    assert set(keep.messages.values_list("body", flat=True)) == {"About Keep", "About Extra"}
    assert not TicketMessage.objects.filter(ticket=extra).exists()


def test_ticket_merge_refuses_other_customers_and_itself(agent, customer):
    mine, theirs = ticket_of(customer), ticket_of(person("other@example.test"))
    with pytest.raises(ApplicationError):
        services.ticket_merge(actor=agent, source=mine, target=theirs)
    with pytest.raises(ApplicationError):
        services.ticket_merge(actor=agent, source=mine, target=mine)
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 0
    assert TicketAttachment.objects.count() == 0


def test_bulk_update_is_all_or_nothing(agent, customer):
    # given: one ticket may be solved, the other is closed already
    first, second = ticket_of(customer, "One"), ticket_of(customer, "Two")
    Ticket.objects.filter(id=second.id).update(status=Ticket.Status.CLOSED)
    # when / then
    with pytest.raises(ApplicationError, match=second.number):
        services.tickets_bulk_update(
            actor=agent, tickets=[first, second], action="status", value="solved"
        )
    first.refresh_from_db()
    assert first.status == Ticket.Status.NEW


def test_console_bulk_assigns_selected_tickets_to_me(client, agent, customer):
    # given
    one, two = ticket_of(customer, "One"), ticket_of(customer, "Two")
    client.force_login(agent)
    # when
    response = client.post(
        "/console/bulk",
        {"tickets": [one.number, two.number], "action": "assign", "next": "/console/?queue=mine"},
    )
    # then
    assert response.status_code == 302 and response.url == "/console/?queue=mine"
    assert set(Ticket.objects.filter(assignee=agent).values_list("number", flat=True)) == {
        one.number,
        two.number,
    }


def test_console_bulk_ignores_tickets_the_agent_cannot_see(client, customer):
    outsider = person("outsider@example.test")
    ticket = ticket_of(customer)
    client.force_login(outsider)
    assert (
        client.post("/console/bulk", {"tickets": [ticket.number], "action": "assign"}).status_code
        == 403
    )
    ticket.refresh_from_db()
    assert ticket.assignee is None
