"""An anonymous visitor who types a customer's address proves nothing (accounts.trust).

The attack (issue 13): start a chat without signing in, leave a message or a complaint
with a victim's address and "URGENT from Beacon Security … http://…". Before, the victim's
"My requests" listed it as theirs and Beacon mailed them a confirmation, with their
anti-phishing code, quoting the attacker's text and link.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from livechat.models import Conversation
from livechat.services.messages import message_post
from tickets.models import Ticket

from .conftest import JSON

pytestmark = pytest.mark.django_db

LURE = "URGENT from Beacon Security: verify your wallet at http://beacon-secure.example/login"
CODE = "BLUE-OTTER-42"


@pytest.fixture
def victim(user_factory):
    user = user_factory(email="victim@example.test", language="en")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.anti_phishing_code = CODE
    user.save(update_fields=["anti_phishing_code"])
    return user


@pytest.fixture
def attacker_chat(visitor_client) -> Conversation:
    """A chat started without signing in (what POST /chat/start gives a stranger)."""
    started = visitor_client.post("/chat/start", {"language": "en"}, **JSON)
    assert started.status_code in (200, 201), started.content
    return Conversation.objects.get(public_id=started.json()["conversation"])


def _victims_requests(victim) -> str:
    client = Client()
    client.force_login(victim)
    return client.get("/requests/").content.decode()


def _assert_victim_mail_is_neutral(victim) -> None:
    (email,) = [m for m in mail.outbox if m.to == [victim.email]]
    html = email.alternatives[0][0]
    for part in (email.subject, email.body, html):
        assert CODE not in part  # Beacon does not vouch for what it did not write
        assert "beacon-secure.example" not in part and "URGENT" not in part
    assert "claims to be from you" in email.body
    assert "/requests/confirm/" in email.body  # the owner may say whether it was them


def test_a_message_left_in_a_victims_name_is_not_theirs(
    victim, visitor_client, attacker_chat, deliver_outbox
):
    response = visitor_client.post(
        f"/chat/{attacker_chat.public_id}/leave-message",
        {"body": LURE, "email": victim.email},
        **JSON,
    )

    assert response.status_code == 200
    ticket = Ticket.objects.get(number=response.json()["ticket"])
    # agents have it, flagged
    assert ticket.requester == victim and not ticket.sender_proven
    assert "unverified-sender" in ticket.tags
    # the victim's account does not list it, nor open it
    assert ticket.number not in _victims_requests(victim)
    victim_client = Client()
    victim_client.force_login(victim)
    assert victim_client.get(f"/requests/{ticket.number}/").status_code == 404
    # and the only email they get quotes nothing and carries no code
    deliver_outbox()
    _assert_victim_mail_is_neutral(victim)


def test_a_complaint_filed_in_a_victims_name_is_not_theirs(
    victim, visitor_client, attacker_chat, deliver_outbox
):
    message_post(conversation=attacker_chat, sender="customer", body="hello")

    response = visitor_client.post(
        f"/chat/{attacker_chat.public_id}/complaint", {"body": LURE, "email": victim.email}, **JSON
    )

    assert response.status_code == 200, response.content
    complaint = Ticket.objects.get(number=response.json()["ticket"])
    assert complaint.requester == victim and not complaint.sender_proven
    assert complaint.number not in _victims_requests(victim)
    deliver_outbox()
    _assert_victim_mail_is_neutral(victim)


def test_a_signed_in_customers_message_is_theirs_and_mailed_with_their_code(victim, deliver_outbox):
    client = Client()
    client.force_login(victim)
    started = client.post("/chat/start", {"language": "en"}, **JSON)
    chat = Conversation.objects.get(public_id=started.json()["conversation"])

    response = client.post(
        f"/chat/{chat.public_id}/leave-message", {"body": "My deposit is missing"}, **JSON
    )

    ticket = Ticket.objects.get(number=response.json()["ticket"])
    assert ticket.sender_proven and "unverified-sender" not in ticket.tags
    assert ticket.number in _victims_requests(victim)
    deliver_outbox()
    (email,) = mail.outbox
    assert CODE in email.body and "My deposit is missing" in email.body
