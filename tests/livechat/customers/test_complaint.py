"""A complaint about a chat, filed from its transcript: a complaint ticket linked to it."""

from __future__ import annotations

import pytest

from livechat.services.messages import message_post
from livechat.services.offline import offline_message_leave
from tickets.models import Ticket, TicketType

from .conftest import JSON

pytestmark = pytest.mark.django_db


def test_the_complaint_is_a_complaint_ticket_with_the_transcript(
    customer, customer_client, customer_chat
):
    response = customer_client.post(
        f"/chat/{customer_chat.public_id}/complaint",
        {"body": "The bot kept sending me the same article."},
        **JSON,
    )

    assert response.status_code == 200
    complaint = Ticket.objects.get(number=response.json()["ticket"])
    assert complaint.type.kind == TicketType.Kind.COMPLAINT
    assert complaint.requester == customer
    assert complaint.priority == Ticket.Priority.HIGH
    body = complaint.messages.get().body
    assert body.startswith("The bot kept sending me the same article.")
    assert "My USDT withdrawal is stuck" in body
    customer_chat.refresh_from_db()
    assert customer_chat.ticket == complaint  # linked to the chat
    options = customer_client.get(f"/chat/{customer_chat.public_id}/options").json()
    assert options["complaint"] == complaint.number


def test_a_second_complaint_while_the_first_is_open_is_refused(customer_client, customer_chat):
    url = f"/chat/{customer_chat.public_id}/complaint"
    first = customer_client.post(url, {"body": "Rude."}, **JSON).json()["ticket"]
    again = customer_client.post(url, {"body": "Still rude."}, **JSON)
    assert again.status_code == 400
    assert again.json()["code"] == "complaint_exists"
    assert first in again.json()["message"]
    assert Ticket.objects.count() == 1


def test_a_chat_that_became_a_ticket_gets_a_complaint_about_that_ticket(
    customer_client, customer_chat
):
    ticket = offline_message_leave(conversation=customer_chat, body="Call me back")

    response = customer_client.post(
        f"/chat/{customer_chat.public_id}/complaint", {"body": "Nobody answered."}, **JSON
    )

    complaint = Ticket.objects.get(number=response.json()["ticket"])
    assert complaint.original == ticket
    assert complaint.type.kind == TicketType.Kind.COMPLAINT
    customer_chat.refresh_from_db()
    assert customer_chat.ticket == ticket  # the chat keeps its ticket; the complaint hangs off it


def test_an_anonymous_visitor_complains_under_their_email(visitor_client, visitor_chat):
    url = f"/chat/{visitor_chat.public_id}/complaint"
    refused = visitor_client.post(url, {"body": "客服态度不好"}, **JSON)
    assert refused.status_code == 400 and refused.json()["code"] == "bad_email"

    response = visitor_client.post(url, {"body": "客服态度不好", "email": "v@example.test"}, **JSON)

    complaint = Ticket.objects.get(number=response.json()["ticket"])
    assert complaint.requester.email == "v@example.test"
    assert complaint.language == "zh-hans"
    assert "unverified-sender" in complaint.tags


def test_the_complaint_form_works_without_javascript(customer_client, customer_chat):
    response = customer_client.post(
        f"/chat/{customer_chat.public_id}/complaint", {"body": "Too slow."}, follow=True
    )
    page = response.content.decode()
    complaint = Ticket.objects.get()
    number = complaint.number
    assert "unverified-sender" not in complaint.tags  # a signed-in customer's own
    assert f"Your complaint was filed as request {number}" in page
    assert f"You complained about this chat: request {number}." in page
    assert "File the complaint" not in page


def test_a_chat_without_messages_has_nothing_to_complain_about(customer, customer_client):
    from livechat.models import Conversation

    empty = Conversation.objects.create(customer=customer)
    response = customer_client.post(f"/chat/{empty.public_id}/complaint", {"body": "x"}, **JSON)
    assert response.status_code == 400
    assert not Ticket.objects.exists()
    message_post(conversation=empty, sender="customer", body="hello")
    assert (
        customer_client.post(
            f"/chat/{empty.public_id}/complaint", {"body": "x"}, **JSON
        ).status_code
        == 200
    )
