"""Converting a chat about a request the customer already has: the console offers that
request (found by a TXID the customer wrote), and the chat is added to it, not a second
ticket opened."""

from __future__ import annotations

import pytest

from core.exceptions import ApplicationError
from livechat.models import ChatMessage, Conversation
from livechat.services import agent_actions, chat_tickets
from livechat.services.messages import message_post
from tickets import services as ticket_services
from tickets.models import Ticket, TicketType

pytestmark = pytest.mark.django_db

TXID = "0x" + "ab" * 32


@pytest.fixture
def request_about_txid(user_factory):
    customer = user_factory(email="mei@example.test")
    ticket = ticket_services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Deposit missing",
        body="My deposit did not arrive.",
        field_values={},
    )
    Ticket.objects.filter(pk=ticket.pk).update(txid=TXID)
    ticket.refresh_from_db()
    return ticket


def test_the_open_request_with_the_chats_txid_is_offered_and_the_chat_added_to_it(
    agent_factory, request_about_txid
):
    # given: the customer's chat with an agent, naming the TXID (in upper case; a cue
    # word keeps the sensitive-data guard from taking 64 hex digits for a private key)
    omar = agent_factory(name="Omar")
    chat = Conversation.objects.create(
        customer=request_about_txid.requester, status="active", agent=omar
    )
    message_post(
        conversation=chat, sender="customer", body=f"still missing, my txid is 0x{TXID[2:].upper()}"
    )
    # then: converting offers the request
    offers = chat_tickets.convert_offers(user=omar, public_id=chat.public_id)
    assert [t.number for t in offers] == [request_about_txid.number]
    # when: the agent adds the chat to it
    ticket = chat_tickets.chat_attach(
        user=omar, public_id=chat.public_id, number=request_about_txid.number
    )
    # then: no second ticket; the transcript is on an internal note; the customer is told
    assert ticket == request_about_txid and Ticket.objects.count() == 1
    chat.refresh_from_db()
    assert chat.ticket == ticket
    note = ticket.messages.get(visibility="internal")
    (transcript,) = note.attachments.all()
    assert "still missing" in transcript.file.open("rb").read().decode()
    told = chat.messages.filter(sender=ChatMessage.Sender.SYSTEM).last()
    assert ticket.number in told.body and told.data["event"] == "ticket_attached"
    # and once linked, nothing more is offered; attaching again is the same ticket
    assert chat_tickets.convert_offers(user=omar, public_id=chat.public_id) == []
    assert chat_tickets.chat_attach(user=omar, public_id=chat.public_id, number="x") == ticket


def test_no_offer_without_a_matching_txid_and_no_attaching_to_someone_elses_request(
    agent_factory, user_factory, request_about_txid
):
    omar = agent_factory(name="Omar")
    other = user_factory(email="other@example.test")
    chat = Conversation.objects.create(customer=other, status="active", agent=omar)
    message_post(conversation=chat, sender="customer", body=f"my tx hash {TXID}")
    # another customer's request with that TXID is not offered, nor attachable
    assert chat_tickets.convert_offers(user=omar, public_id=chat.public_id) == []
    with pytest.raises(ApplicationError) as refused:
        chat_tickets.chat_attach(
            user=omar, public_id=chat.public_id, number=request_about_txid.number
        )
    assert refused.value.code == "not_found"
    # and converting still opens a new ticket for this customer
    ticket = agent_actions.agent_convert(user=omar, public_id=chat.public_id)
    assert ticket.requester == other
