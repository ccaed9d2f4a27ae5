"""Schemathesis against the OpenAPI schema Beacon serves at /api/schema/, in process through
the WSGI application (the real middleware stack), as a signed-in customer and as an agent
with 2FA, each with their API key: whatever it generates, no answer is a 5xx.

Bounded so it decides the same way every run and stays quick: a few examples per
operation (MAX_EXAMPLES), no deadline (the machine may be busy), derandomized, no example
database. A case naming a ticket is also sent with the customer's real ticket number, and a
message for the mail webhook also with a valid signature, so the fuzzed bodies reach the
views, services and the mail pipeline, not only a 404 or a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import schemathesis
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error

from accounts.models import Role, User
from accounts.services import user_role_grant
from tests.access.world import seed_reference_data
from tickets import services
from tickets.mail.webhook import SIGNATURE_HEADER, signature_for
from tickets.models import Ticket, TicketType

# 15 examples × 7 operations × 2 people: about 40 s here, most of it the views' own work.
MAX_EXAMPLES = 15

MAIL_SECRET = "fuzz-secret"

schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())


def raw_message(value) -> bytes:
    """The mail webhook's body (`message/rfc822`, a binary string in the schema) as sent."""
    if value is None:
        return b""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


@schemathesis.serializer("message/rfc822")
def _rfc822(ctx, value) -> bytes:
    return raw_message(value)


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """Django's WSGI handler closes the database connection after each request (the
    request_finished signal), which would end the test's transaction; the test client
    unhooks it the same way. Everything else runs as it does behind a server."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@dataclass
class ApiPeople:
    keys: dict[str, str]
    ticket: Ticket


@pytest.fixture
def api_people(settings_override) -> ApiPeople:
    seed_reference_data()
    customer = User.objects.create_user("fuzz.customer@example.test", "pw-long-enough-1")
    agent = User.objects.create_user("fuzz.agent@beacon.test", "pw-long-enough-1")
    user_role_grant(user=agent, role=Role.AGENT)
    TOTP.activate(agent, generate_totp_secret())
    ticket = services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Fuzzed request",
        body="Please help.",
        field_values={},
    )
    keys = {
        name: AuthToken.objects.create(user=user)[1]
        for name, user in (("customer", customer), ("agent", agent))
    }
    return ApiPeople(keys=keys, ticket=ticket)


@pytest.fixture
def settings_override(settings, tmp_path):
    settings.BEACON_STAFF_MFA_REQUIRED = True  # as in production: the agent has TOTP
    settings.BEACON_INBOUND_MAIL_SECRET = MAIL_SECRET  # the webhook checks signatures
    settings.MEDIA_ROOT = tmp_path / "private"


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.parametrize("person", ["customer", "agent"])
def test_the_api_never_answers_5xx(case, api_people, person):
    headers = {"Authorization": f"Token {api_people.keys[person]}"}
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
    if "number" in (case.path_parameters or {}):
        case.path_parameters = {**case.path_parameters, "number": api_people.ticket.number}
        case.call_and_validate(headers=headers, checks=[not_a_server_error])
    if case.operation.path == "/api/v1/mail/inbound":  # signed: the pipeline parses the junk
        headers[SIGNATURE_HEADER] = signature_for(raw_message(case.body), MAIL_SECRET)
        case.call_and_validate(headers=headers, checks=[not_a_server_error])
