"""Signed-in clients and a ticket table of a chosen size, for counting statements."""

from __future__ import annotations

from django.test import Client

from accounts.models import Role, User
from accounts.services import user_role_grant
from tickets import services
from tickets.models import Team, Ticket, TicketType

PASSWORD = "pw-long-enough-1"
TXID = "0x" + "ab" * 32
WRITES = ("INSERT", "UPDATE", "DELETE")


def make_user(email: str, role: Role | None = None) -> User:
    user = User.objects.create_user(email, PASSWORD)
    if role:
        user_role_grant(user=user, role=role)
    return user


def client_for(user: User, **headers) -> Client:
    client = Client(**headers)
    client.force_login(user)
    return client


def writes(queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def fill(world: dict, count: int) -> Ticket:
    """`count` tickets of several types, some assigned, replied to and noted; returns one
    with count // 5 extra messages (2 or 11 in all)."""
    customer, agent = world["customer"], world["agent"]
    other = TicketType.objects.get(slug="other")
    withdrawal = TicketType.objects.get(slug="withdrawal-problem")
    tickets = []
    for n in range(count):
        if n % 2:
            ticket = services.ticket_create(
                requester=customer,
                ticket_type=withdrawal,
                subject=f"Withdrawal {n} not arrived",
                body="I sent USDT yesterday and nothing arrived.",
                field_values={
                    "uid": str(customer.uid),
                    "coin": "USDT",
                    "network": "ERC20",
                    "amount": "25.5",
                    "address": "0x" + "1" * 40,
                    "txid": TXID,
                },
            )
        else:
            ticket = services.ticket_create(
                requester=customer,
                ticket_type=other,
                subject=f"Question {n}",
                body="How do I change my email?",
                field_values={},
            )
        if n % 3 == 0:
            services.ticket_assign(actor=agent, ticket=ticket, assignee=agent)
        tickets.append(ticket)
    viewed = tickets[0]
    services.ticket_reply(actor=agent, ticket=viewed, body="Looking into it.", internal=True)
    for n in range(count // 5):
        services.ticket_reply(actor=customer, ticket=viewed, body=f"Any news? ({n})")
    return viewed


def people() -> dict[str, User]:
    """A customer, a supervisor, and an agent of two of the three teams (as bench/console.py)."""
    customer = make_user("customer@example.test")
    agent = make_user("agent@example.test", Role.AGENT)
    supervisor = make_user("supervisor@example.test", Role.SUPERVISOR)
    for team in Team.objects.order_by("slug")[:2]:
        team.members.add(agent)
    return {"customer": customer, "agent": agent, "supervisor": supervisor}
