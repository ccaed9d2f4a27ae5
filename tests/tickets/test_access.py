"""Walk every ticket page, API endpoint and attachment link as another customer and as an
anonymous visitor: nothing of the first customer's may show, and nothing may change."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern

from accounts.models import User
from tickets import api_urls, services, urls
from tickets.models import Ticket, TicketEvent, TicketMessage, TicketType

pytestmark = pytest.mark.django_db
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
SECRET_SUBJECT = "Secret-subject-Qz81"
SECRET_BODY = "Secret-body-Wx42 my balance is 12.5 BTC"


@pytest.fixture
def victim_ticket():
    owner = User.objects.create_user("owner@example.test", "pw-long-enough-1")
    ticket = services.ticket_create(
        requester=owner,
        ticket_type=TicketType.objects.get(slug="other"),
        subject=SECRET_SUBJECT,
        body=SECRET_BODY,
        field_values={},
        files=[SimpleUploadedFile("proof.png", PNG)],
    )
    return ticket


def concrete_paths(prefix: str, patterns, ticket: Ticket) -> list[str]:
    attachment = ticket.messages.get().attachments.get()
    values = {"number": ticket.number, "attachment_id": str(attachment.id), "token": "x"}
    paths = []
    for pattern in patterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        for name, value in values.items():
            route = re.sub(rf"<\w+:{name}>", value, route)
        paths.append(prefix + route)
    return paths


def all_paths(ticket: Ticket) -> list[str]:
    return concrete_paths("/", urls.urlpatterns, ticket) + concrete_paths(
        "/api/v1/tickets/", api_urls.urlpatterns, ticket
    )


def snapshot(ticket: Ticket) -> tuple:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.priority,
        ticket.assignee_id,
        ticket.rating,
        TicketMessage.objects.count(),
        TicketEvent.objects.count(),
        Ticket.objects.count(),
    )


@pytest.mark.parametrize("who", ["other_customer", "anonymous"])
def test_no_ticket_url_shows_or_changes_another_customers_ticket(victim_ticket, who):
    # given
    client = Client()
    if who == "other_customer":
        client.force_login(User.objects.create_user("nosy@example.test", "pw-long-enough-1"))
    before = snapshot(victim_ticket)
    # when
    for path in all_paths(victim_ticket):
        for method in ("get", "post"):
            response = getattr(client, method)(
                path, {"body": "hijack", "status": "solved", "rating": "1", "internal": "true"}
            )
            # then: a 404 (never a 403 that confirms it exists), a sign-in redirect,
            # or a refusal; and never the customer's data
            content = b"".join(response) if response.streaming else response.content
            assert response.status_code in {200, 302, 400, 401, 403, 404, 405}, (path, method)
            for secret in (SECRET_SUBJECT, SECRET_BODY, victim_ticket.number):
                if path.startswith("/console/") and response.status_code in {302, 403}:
                    continue
                assert secret.encode() not in content, (path, method)
            assert content[:8] != PNG[:8], (path, method)
            if (
                who == "other_customer"
                and victim_ticket.number in path
                and not path.startswith("/console")
            ):
                assert response.status_code in {400, 404, 405}, (path, method, response.status_code)
    assert snapshot(victim_ticket) == before
