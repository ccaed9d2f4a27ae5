"""The transcript by email (through the outbox) and on the chat's page."""

from __future__ import annotations

import pytest
from django.core import mail

from livechat.models import AgentPresence
from livechat.services.messages import message_post
from notifications.models import Notification

from .conftest import JSON

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(customer):
    """The customer proved their address (allauth's verified EmailAddress)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=customer, email=customer.email, verified=True, primary=True)
    return customer


def test_a_signed_in_customer_gets_the_transcript_at_their_address(
    verified, customer_client, customer_chat, deliver_outbox, user_factory
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

    # an address in the form is ignored: only the account's own is used
    response = customer_client.post(
        f"/chat/{customer_chat.public_id}/transcript/email", {"email": "x@evil.test"}, **JSON
    )

    assert response.status_code == 200
    assert response.json()["email"] == verified.email
    assert deliver_outbox() == 1
    (email,) = mail.outbox
    assert email.to == [verified.email]
    assert email.subject == "[Beacon] Your chat transcript"
    assert "My USDT withdrawal is stuck" in email.body
    assert "Omar (staff ID BX-1042): I am on it." in email.body
    assert "Checking the hot wallet" not in email.body  # internal notes stay inside
    assert "hunter2hunter2" not in email.body  # as stored: masked


def test_asking_twice_with_nothing_new_sends_one_email(verified, customer_client, customer_chat):
    url = f"/chat/{customer_chat.public_id}/transcript/email"
    customer_client.post(url, **JSON)
    customer_client.post(url, **JSON)
    assert Notification.objects.filter(kind="livechat.transcript").count() == 1


def test_a_customer_whose_address_is_not_verified_is_told_to_verify_it(
    customer_client, customer_chat
):
    response = customer_client.post(f"/chat/{customer_chat.public_id}/transcript/email", **JSON)
    assert response.status_code == 400 and response.json()["code"] == "email_unverified"
    assert not Notification.objects.exists()


def test_an_anonymous_visitor_cannot_have_it_sent_to_any_address(
    visitor_client, visitor_chat, deliver_outbox
):
    """The attack: Beacon's own email, to anyone, with text the visitor typed in the chat."""
    url = f"/chat/{visitor_chat.public_id}/transcript/email"

    response = visitor_client.post(url, {"email": "victim@example.test"}, **JSON)

    assert response.status_code == 400 and response.json()["code"] == "sign_in_required"
    assert deliver_outbox() == 0 and mail.outbox == []
    # and the visitor can still keep it: the download works
    download = visitor_client.get(f"/chat/{visitor_chat.public_id}/transcript")
    assert download.status_code == 200 and "我的充值没有到账" in download.content.decode()


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
