from __future__ import annotations

from importlib import import_module

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.apps import apps as django_apps

from accounts.models import Role, User
from accounts.services import user_role_grant
from tests.sockets.helpers import FRAME_WAIT, closed_with, signed_in, socket
from tickets import services
from tickets.models import Team, Ticket, TicketType

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def person(email: str, role: Role | None = None, name: str = "") -> User:
    user = User.objects.create_user(email, "pw-long-enough-1", first_name=name)
    if role:
        user_role_grant(user=user, role=role)
    return User.objects.get(id=user.id)


@database_sync_to_async
def setup():
    # Transactional tests flush the database, seeded types included: seed them again the
    # way the migration does (a no-op when they are there).
    import_module("tickets.migrations.0002_ticket_types").create(django_apps, None)
    customer = person("c@example.test")
    alex = person("alex@example.test", Role.AGENT, "Alex")
    sam = person("sam@example.test", Role.AGENT, "Sam")
    ticket = services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Help",
        body="Please.",
        field_values={},
    )
    return customer, alex, sam, ticket


async def connect(user) -> WebsocketCommunicator:
    """The console's socket as the browser opens it: the real ASGI app, signed in."""
    communicator = socket("/ws/console/", await signed_in(user))
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_console_consumer_warns_agents_of_each_other_on_the_same_ticket():
    customer, alex, sam, ticket = await setup()
    a, s = await connect(alex), await connect(sam)
    # when: Alex opens the ticket, then Sam opens it and types
    await a.send_json_to({"type": "ticket.watch", "number": ticket.number})
    await s.send_json_to({"type": "ticket.watch", "number": ticket.number})
    # then: Alex hears Sam arrive; Sam learns Alex is already there
    assert await a.receive_json_from(FRAME_WAIT) == {
        "type": "presence.update",
        "number": ticket.number,
        "state": "viewing",
        "agent": "Sam",
    }
    assert (await s.receive_json_from(FRAME_WAIT))["agent"] == "Alex"
    await s.send_json_to({"type": "ticket.typing"})
    assert await next_change(a) == "typing"
    await s.disconnect()
    assert await next_change(a) == "left"
    assert await a.receive_nothing()
    await a.disconnect()


async def next_change(socket: WebsocketCommunicator) -> str:
    """The next presence state other than "viewing": when both watch at once, each may
    hear the other arrive twice (the arrival and the answer to its own), as the console
    script allows for."""
    while (state := (await socket.receive_json_from(FRAME_WAIT))["state"]) == "viewing":
        pass
    return state


async def test_console_consumer_refuses_customers_and_unknown_tickets():
    customer, alex, _, ticket = await setup()
    # a customer: accepted, then closed with a code the browser can read
    communicator = socket("/ws/console/", await signed_in(customer))
    connected, _ = await communicator.connect()
    assert connected and await closed_with(communicator) == 4403
    a = await connect(alex)
    await a.send_json_to({"type": "ticket.watch", "number": "999999-999999"})
    assert (await a.receive_json_from(FRAME_WAIT))["code"] == "not_found"
    await a.send_json_to(["not", "an", "object"])
    assert (await a.receive_json_from(FRAME_WAIT))["type"] == "error"
    await a.disconnect()


async def test_console_consumer_pushes_queue_changes_after_commit():
    customer, alex, _, ticket = await setup()
    a = await connect(alex)
    # when
    await database_sync_to_async(services.ticket_assign)(actor=alex, ticket=ticket, assignee=alex)
    # then
    assert await a.receive_json_from(FRAME_WAIT) == {"type": "queues.changed"}
    await a.disconnect()


async def test_console_consumer_answers_alike_for_missing_forbidden_and_malformed_numbers():
    # given: a ticket of a team Alex is not in (he may not see it)
    customer, alex, _, ticket = await setup()

    @database_sync_to_async
    def move_to_another_team() -> None:
        team = Team.objects.create(slug="security", name_en="Security", name_zh_hans="安全")
        Ticket.objects.filter(pk=ticket.pk).update(team=team)

    await move_to_another_team()
    a = await connect(alex)
    # when: he asks for it, for a number that does not exist, and for one that cannot be
    answers = []
    for number in (ticket.number, "999999-999999", "x" * 20, "240101-00000\u0000"):
        await a.send_json_to({"type": "ticket.watch", "number": number})
        answers.append(await a.receive_json_from(FRAME_WAIT))
    # then: one answer for all, so the socket cannot tell which tickets exist
    assert answers == [{"type": "error", "code": "not_found", "message": "No such ticket."}] * 3 + [
        {
            "type": "error",
            "code": "bad_frame",
            "message": "Frames cannot hold NUL characters or unpaired surrogates.",
        }
    ]
    assert await a.receive_nothing()
    await a.disconnect()
