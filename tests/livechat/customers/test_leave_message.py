"""Nobody to take the chat: the customer leaves a message and it becomes a ticket."""

from __future__ import annotations

import pytest

from accounts.models import User
from livechat.models import ChatMessage, Conversation
from tickets.models import Ticket

from .conftest import JSON

pytestmark = pytest.mark.django_db


def _options(client, chat) -> dict:
    response = client.get(f"/chat/{chat.public_id}/options")
    assert response.status_code == 200
    return response.json()


def test_the_widget_offers_a_message_when_no_agent_speaks_the_language(
    customer_client, customer_chat, visitor_client, visitor_chat, online_agent
):
    # The only agent online speaks English: the English chat can wait for them, the
    # Chinese one cannot.
    assert _options(customer_client, customer_chat)["offline"] is False
    assert _options(visitor_client, visitor_chat)["offline"] is True


def test_nobody_online_means_leave_a_message(customer_client, customer_chat):
    assert _options(customer_client, customer_chat)["offline"] is True


def test_a_signed_in_customers_message_becomes_their_ticket_with_the_transcript(
    customer, customer_client, customer_chat
):
    response = customer_client.post(
        f"/chat/{customer_chat.public_id}/leave-message",
        {"body": "Please check withdrawal 0xabc and email me.", "client_id": "c-offline-1"},
        **JSON,
    )

    assert response.status_code == 200
    ticket = Ticket.objects.get(number=response.json()["ticket"])
    assert ticket.requester == customer
    assert ticket.channel == Ticket.Channel.CHAT
    first = ticket.messages.get()
    assert first.body.startswith("Please check withdrawal 0xabc and email me.")
    assert "My USDT withdrawal is stuck" in first.body  # the transcript so far
    assert "Withdrawal delays: /articles/withdrawal-delays/" in first.body
    customer_chat.refresh_from_db()
    assert customer_chat.ticket == ticket
    assert customer_chat.status == Conversation.Status.ENDED
    notice = customer_chat.messages.order_by("seq").last()
    assert notice.sender == ChatMessage.Sender.SYSTEM and ticket.number in notice.body
    assert _options(customer_client, customer_chat)["ticket"] == ticket.number


def test_leaving_the_message_twice_makes_one_ticket(customer_client, customer_chat):
    url = f"/chat/{customer_chat.public_id}/leave-message"
    data = {"body": "Hello?", "client_id": "c-1"}
    first = customer_client.post(url, data, **JSON).json()["ticket"]
    second = customer_client.post(url, data, **JSON).json()["ticket"]
    assert first == second
    assert Ticket.objects.count() == 1
    assert customer_chat.messages.filter(sender="customer", body="Hello?").count() == 1


def test_an_anonymous_visitor_needs_an_email_and_nothing_is_written_without_it(
    visitor_client, visitor_chat
):
    response = visitor_client.post(
        f"/chat/{visitor_chat.public_id}/leave-message", {"body": "请帮我查一下"}, **JSON
    )
    assert response.status_code == 400
    assert response.json()["extra"] == {"field": "email"}
    assert not Ticket.objects.exists()
    assert visitor_chat.messages.count() == 1


def test_an_anonymous_visitors_message_is_filed_under_their_email(visitor_client, visitor_chat):
    response = visitor_client.post(
        f"/chat/{visitor_chat.public_id}/leave-message",
        {"body": "请帮我查一下充值", "email": "Visitor@Example.TEST"},
        **JSON,
    )

    assert response.status_code == 200
    ticket = Ticket.objects.get(number=response.json()["ticket"])
    assert ticket.requester.email == "visitor@example.test"
    assert not ticket.requester.has_usable_password()  # claimed later by a password reset
    assert ticket.language == "zh-hans"
    # the address was only typed: agents see that before acting on it
    assert "unverified-sender" in ticket.tags
    assert "was not verified" in ticket.messages.get(visibility="internal").body
    visitor_chat.refresh_from_db()
    assert visitor_chat.visitor_email == "visitor@example.test"


def test_an_existing_account_gets_the_ticket_without_a_second_account(
    visitor_client, visitor_chat, user_factory
):
    owner = user_factory(email="known@example.test")
    response = visitor_client.post(
        f"/chat/{visitor_chat.public_id}/leave-message",
        {"body": "hello", "email": "known@example.test"},
        **JSON,
    )
    assert Ticket.objects.get(number=response.json()["ticket"]).requester == owner
    assert User.objects.filter(email="known@example.test").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "x" * 4001}, "body"),
        ({"body": "hi", "email": "nope"}, "email"),
    ],
)
def test_bad_input_gets_a_field_error(visitor_client, visitor_chat, data, field):
    response = visitor_client.post(f"/chat/{visitor_chat.public_id}/leave-message", data, **JSON)
    assert response.status_code == 400
    assert response.json()["extra"]["field"] == field
    assert not Ticket.objects.exists()


def test_another_browser_cannot_touch_the_chat(customer_chat, visitor_client, client):
    for someone in (visitor_client, client):
        response = someone.post(
            f"/chat/{customer_chat.public_id}/leave-message", {"body": "hi"}, **JSON
        )
        assert response.status_code == 404
        assert someone.get(f"/chat/{customer_chat.public_id}/options").status_code == 404
    assert not Ticket.objects.exists()


def test_the_form_without_javascript_redirects_to_the_chat_page(customer_client, customer_chat):
    response = customer_client.post(
        f"/chat/{customer_chat.public_id}/leave-message", {"body": "hello"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/chat/{customer_chat.public_id}/"
    number = Ticket.objects.get().number
    assert f"Your message was saved as request {number}." in response.content.decode()
