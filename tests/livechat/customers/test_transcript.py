"""The transcript by email (through the outbox) and on the chat's page."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import Notification
from livechat.models import AgentPresence
from livechat.services.messages import message_post

from .conftest import JSON

pytestmark = pytest.mark.django_db


def test_a_signed_in_customer_gets_the_transcript_at_their_address(
    customer, customer_client, customer_chat, deliver_outbox, user_factory
):
    agent = user_factory(email="omar@example.test", first_name="Omar", is_staff=True)
    AgentPresence.objects.create(agent=agent, staff_id="BX-1042")
    message_post(conversation=customer_chat, sender="agent", author=agent, body="I am on it.")
    message_post(
        conversation=customer_chat,
        sender="agent",
        author=agent,
        body="Checking the hot wallet",
        internal=True,
    )
    message_post(
        conversation=customer_chat, sender="customer", body="my password is hunter2hunter2"
    )

    response = customer_client.post(f"/chat/{customer_chat.public_id}/transcript/email", **JSON)

    assert response.status_code == 200
    assert response.json()["email"] == customer.email
    assert deliver_outbox() == 1
    (email,) = mail.outbox
    assert email.to == [customer.email]
    assert email.subject == "[Beacon] Your chat transcript"
    assert "My USDT withdrawal is stuck" in email.body
    assert "Omar (staff ID BX-1042): I am on it." in email.body
    assert "Checking the hot wallet" not in email.body  # internal notes stay inside
    assert "hunter2hunter2" not in email.body  # as stored: masked


def test_asking_twice_with_nothing_new_sends_one_email(customer_client, customer_chat):
    url = f"/chat/{customer_chat.public_id}/transcript/email"
    customer_client.post(url, **JSON)
    customer_client.post(url, **JSON)
    assert Notification.objects.filter(kind="livechat.transcript").count() == 1


def test_an_anonymous_visitor_gets_it_at_the_email_they_give(
    visitor_client, visitor_chat, deliver_outbox
):
    url = f"/chat/{visitor_chat.public_id}/transcript/email"
    refused = visitor_client.post(url, {"email": "not an email"}, **JSON)
    assert refused.status_code == 400 and refused.json()["code"] == "email"

    response = visitor_client.post(url, {"email": "visitor@example.test"}, **JSON)

    assert response.status_code == 200
    deliver_outbox()
    (email,) = mail.outbox
    assert email.to == ["visitor@example.test"]
    assert "我的充值没有到账" in email.body
    visitor_chat.refresh_from_db()
    assert visitor_chat.visitor_email == "visitor@example.test"


def test_nobody_else_can_have_it_sent(customer_chat, visitor_client):
    response = visitor_client.post(
        f"/chat/{customer_chat.public_id}/transcript/email", {"email": "x@example.test"}, **JSON
    )
    assert response.status_code == 404
    assert not Notification.objects.exists()


def test_the_chat_page_shows_the_transcript_with_its_actions(customer_client, customer_chat):
    page = customer_client.get(f"/chat/{customer_chat.public_id}/").content.decode()
    assert "My USDT withdrawal is stuck" in page
    assert f"/chat/{customer_chat.public_id}/transcript" in page  # the download
    assert "Email me the transcript" in page
    assert "File the complaint" in page
