"""The console socket follows the console's rule on security review tickets: reviewers
get in and may watch them; an agent cannot even learn that one exists."""

from __future__ import annotations

from importlib import import_module

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.apps import apps as django_apps

from accounts.models import Role, User
from accounts.services import user_role_grant
from tests.sockets.helpers import FRAME_WAIT, signed_in, socket
from tickets.services.security import security_ticket_open

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def person(email: str, role: Role | None = None) -> User:
    user = User.objects.create_user(email, "pw-long-enough-1")
    if role:
        user_role_grant(user=user, role=role)
    return User.objects.get(id=user.id)


@database_sync_to_async
def setup():
    # Transactional tests flush the seeded types: seed them again as the migrations do.
    import_module("tickets.migrations.0002_ticket_types").create(django_apps, None)
    import_module("tickets.migrations.0009_security_review_types").create(django_apps, None)
    customer = person("lin@example.test")
    review = security_ticket_open(
        requester=customer,
        type_slug="kyc-review",
        reference="kyc:1",
        subject="KYC review",
        note="Review it.",
    )
    return (
        person("alex@beacon.test", Role.AGENT),
        person("rui@beacon.test", Role.SECURITY_REVIEWER),
        review,
    )


async def connect(user) -> WebsocketCommunicator:
    """The console's socket as the browser opens it: the real ASGI app, signed in."""
    communicator = socket("/ws/console/", await signed_in(user))
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_a_reviewer_watches_a_review_ticket_an_agent_cannot_see():
    agent, reviewer, review = await setup()
    a, r = await connect(agent), await connect(reviewer)
    # when: both ask for the review ticket
    await a.send_json_to({"type": "ticket.watch", "number": review.number})
    await r.send_json_to({"type": "ticket.watch", "number": review.number})
    # then: the agent hears "no such ticket", the same as for a number that does not exist
    assert await a.receive_json_from(FRAME_WAIT) == {
        "type": "error",
        "code": "not_found",
        "message": "No such ticket.",
    }
    assert await r.receive_nothing()  # watching, alone: nothing to tell
    await a.disconnect()
    await r.disconnect()
