from __future__ import annotations

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.services import user_role_grant
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
TXID = "a" * 64


@pytest.fixture
def customer_api():
    user = User.objects.create_user("api@example.test", "pw-long-enough-1")
    client = APIClient()
    _token, key = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.user = user
    return client


def create(client, **overrides):
    payload = {
        "type": "deposit-not-credited",
        "subject": "USDT missing",
        "body": "Please check.",
        "fields": {
            "uid": str(client.user.uid),
            "coin": "USDT",
            "network": "TRC20",
            "amount": "100",
            "txid": TXID,
        },
    }
    payload.update(overrides)
    return client.post("/api/v1/tickets/create", payload, format="json")


def test_ticket_create_api_with_token_creates_and_lists_the_ticket(customer_api):
    # when
    response = create(customer_api)
    # then
    assert response.status_code == 201
    number = response.json()["number"]
    assert Ticket.objects.get(number=number).channel == Ticket.Channel.API
    listed = customer_api.get("/api/v1/tickets/").json()["results"]
    assert [t["number"] for t in listed] == [number]
    detail = customer_api.get(f"/api/v1/tickets/{number}").json()
    assert detail["messages"][0]["body"] == "Please check."


@pytest.mark.parametrize(
    "overrides, status",
    [
        ({"type": "no-such-type"}, 400),
        ({"subject": ""}, 400),
        ({"fields": {"uid": "1"}}, 400),
        ({"body": "<script>alert(1)</script>"}, 201),
    ],
)
def test_ticket_create_api_answers_bad_input_clearly(customer_api, overrides, status):
    response = create(customer_api, **overrides)
    assert response.status_code == status
    if status == 400:
        assert response.json()["message"]
        assert Ticket.objects.count() == 0


def test_ticket_status_api_refuses_an_illegal_change(customer_api):
    number = create(customer_api).json()["number"]
    response = customer_api.post(f"/api/v1/tickets/{number}/status", {"status": "closed"})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_transition"
    assert Ticket.objects.get(number=number).status == Ticket.Status.NEW


def test_ticket_apis_hide_internal_notes_from_customers(customer_api):
    # given
    number = create(customer_api).json()["number"]
    agent = User.objects.create_user("agent@example.test", "pw-long-enough-1")
    user_role_grant(user=agent, role=Role.AGENT)
    agent_api = APIClient()
    agent_api.force_authenticate(agent)
    # when
    note = agent_api.post(
        f"/api/v1/tickets/{number}/reply",
        {"body": "Internal only", "internal": True},
        format="json",
    )
    # then
    assert note.status_code == 201
    customer_view = customer_api.get(f"/api/v1/tickets/{number}").json()
    assert "Internal only" not in str(customer_view)
    assert "Internal only" in str(agent_api.get(f"/api/v1/tickets/{number}").json())


def test_ticket_apis_are_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/tickets/create", "/api/v1/tickets/{number}/reply"):
        assert path in schema


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["no-such-type", "kyc-review"])
def test_creating_with_a_type_customers_cannot_file_is_a_field_error(slug, user_factory):
    """An unknown type, or a security review type (opened by the desk itself)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user_factory())
    response = client.post(
        "/api/v1/tickets/create",
        {"type": slug, "subject": "Help", "body": "Please."},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_type"
    assert response.json()["extra"] == {"field": "type"}
