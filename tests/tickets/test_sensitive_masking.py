"""What customers type into tickets (web form, API, email) is masked before anyone sees it,
and the customer is warned; staff text is stored as written."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from mnemonic import Mnemonic
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.services import user_role_grant
from tests.mail.builders import customer_email
from tickets import services
from tickets.mail.intake import email_ingest
from tickets.models import Ticket, TicketMessage, TicketType
from tickets.sensitive.guard import MASK_EN, MASK_ZH

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

# BIP39 test vectors (entropy 7f…7f, 128 bits): real phrases with valid checksums.
PHRASE = Mnemonic("english").to_mnemonic(bytes.fromhex("7f" * 16))
PHRASE_ZH = Mnemonic("chinese_simplified").to_mnemonic(bytes.fromhex("7f" * 16))
PASSWORD = "hunter2hunter2"
HEX_KEY = "e9873d79c6d87dc0fb6a5778633389f4453213303da61f20bd67fc233aa33262"
SEED_WARNING = "We hid what looked like a seed phrase in what you sent us."
NEVER_ASK = "Beacon staff will never ask for your seed phrase, private key or password."


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def console_page(agent: User, ticket: Ticket) -> str:
    response = client_for(agent).get(reverse("tickets:console-ticket", args=[ticket.number]))
    assert response.status_code == 200
    return response.content.decode()


def detail_page(customer: User, ticket: Ticket) -> str:
    response = client_for(customer).get(reverse("tickets:detail", args=[ticket.number]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def agent(user_factory) -> User:
    user = user_factory(email="agent@example.test")
    user_role_grant(user=user, role=Role.AGENT)
    return user


@pytest.fixture
def filed_with_phrase(client, customer, withdrawal_values, deliver_outbox):
    """The customer pastes a seed phrase into the web form's message; returns the
    response to the POST."""
    client.force_login(customer)
    response = client.post(
        reverse("tickets:new"),
        {
            "type": "withdrawal-problem",
            "subject": "Withdrawal not arrived",
            "body": f"My wallet words are {PHRASE}. Where is my USDT?",
            **withdrawal_values(customer),
        },
    )
    deliver_outbox()
    return response


def test_web_form_request_with_a_seed_phrase_is_stored_masked(filed_with_phrase):
    # then: the phrase is gone, the rest of the message kept, the kind recorded
    message = TicketMessage.objects.get()
    assert filed_with_phrase.status_code == 302
    assert message.body == f"My wallet words are {MASK_EN}. Where is my USDT?"
    assert message.masked == ["seed_phrase"]
    # and no email Beacon sent carries it
    assert mail.outbox and all(PHRASE not in email.body for email in mail.outbox)


def test_web_form_request_with_a_seed_phrase_warns_on_the_created_page(filed_with_phrase, client):
    # when
    page = client.get(filed_with_phrase.url).content.decode()
    # then
    assert SEED_WARNING in page and NEVER_ASK in page
    assert "move your funds to a new wallet now" in page
    assert PHRASE not in page


def test_request_page_warns_on_the_masked_message_only(filed_with_phrase, customer):
    # given: a second, ordinary reply
    ticket = Ticket.objects.get()
    services.ticket_reply(actor=customer, ticket=ticket, body="Any news?")
    # when
    page = detail_page(customer, ticket)
    # then: one warning, on the first message
    first, reply = ticket.messages.order_by("id")
    assert page.count('data-testid="masked-warning"') == 1
    warning_at = page.index('data-testid="masked-warning"')
    assert (
        page.index(f'id="message-{first.id}"') < warning_at < page.index(f'id="message-{reply.id}"')
    )
    assert SEED_WARNING in page and PHRASE not in page


def test_agent_console_never_shows_the_phrase_but_says_something_was_hidden(
    filed_with_phrase, agent
):
    # when
    page = console_page(agent, Ticket.objects.get())
    # then
    assert PHRASE not in page and " ".join(PHRASE.split()[:4]) not in page
    assert MASK_EN in page
    assert "hidden: seed phrase" in page


def test_an_ordinary_request_gets_no_warning(ticket_factory, customer, agent):
    # given: a TXID in the form's own field, nothing secret in the text
    ticket = ticket_factory(customer)
    # then
    assert ticket.messages.get().masked == []
    assert 'data-testid="masked-warning"' not in detail_page(customer, ticket)
    assert 'data-testid="masked"' not in console_page(agent, ticket)


def test_customer_reply_with_a_password_is_masked_and_warned_about(ticket_factory, customer):
    # given
    ticket = ticket_factory(customer)
    # when
    response = client_for(customer).post(
        reverse("tickets:reply", args=[ticket.number]),
        {"body": f"I can log in, my password is {PASSWORD} if you need it."},
    )
    # then
    reply = ticket.messages.latest("id")
    assert response.status_code == 302
    assert reply.body == f"I can log in, my password is {MASK_EN} if you need it."
    assert reply.masked == ["password"]
    page = detail_page(customer, ticket)
    assert "We hid what looked like a password in what you sent us." in page
    assert "If you use that password anywhere, change it now." in page
    assert PASSWORD not in page


def test_private_key_in_the_subject_is_masked_and_counted_on_the_message(
    ticket_factory, customer, agent
):
    # when: the body is harmless, the subject holds a key
    ticket = ticket_factory(customer, subject=f"Help, imported {HEX_KEY} and lost funds")
    # then
    ticket.refresh_from_db()
    assert ticket.subject == f"Help, imported {MASK_EN} and lost funds"
    assert ticket.messages.get().masked == ["private_key"]
    assert HEX_KEY not in console_page(agent, ticket)
    page = detail_page(customer, ticket)
    assert HEX_KEY not in page
    assert "We hid what looked like a private key in what you sent us." in page


def test_a_full_length_subject_stays_within_its_limit_after_masking(ticket_factory, customer):
    # given: 200 characters typed, a short password the longer mask replaces
    subject = "my password is abc1 ".ljust(200, "x")
    # when
    ticket = ticket_factory(customer, subject=subject)
    # then
    ticket.refresh_from_db()
    assert ticket.subject.startswith(f"my password is {MASK_EN} ") and len(ticket.subject) == 200
    assert "abc1" not in ticket.subject


def test_a_chinese_seed_phrase_is_masked_in_chinese(customer):
    # when
    ticket = services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="钱包被盗",
        body=f"我的助记词是 {PHRASE_ZH}，请帮我找回。",
        field_values={},
        language="zh-hans",
    )
    # then
    message = ticket.messages.get()
    assert message.body == f"我的助记词是 {MASK_ZH}，请帮我找回。"
    assert message.masked == ["seed_phrase"]


@pytest.mark.parametrize("by_staff", [True, False])
def test_only_customer_replies_are_scanned(ticket_factory, customer, supervisor, by_staff):
    # given: a hash pasted without a cue word, which the guard treats as a key
    ticket = ticket_factory(customer)
    text = f"The transfer shows {HEX_KEY} on my side."
    # when
    reply = services.ticket_reply(
        actor=supervisor if by_staff else customer, ticket=ticket, body=text
    )
    # then: staff text is stored as written; the customer's is masked
    if by_staff:
        assert (reply.body, reply.masked) == (text, [])
    else:
        assert (reply.body, reply.masked) == (text.replace(HEX_KEY, MASK_EN), ["private_key"])


def test_an_agents_internal_note_is_not_scanned(ticket_factory, customer, supervisor):
    # given
    ticket = ticket_factory(customer)
    note = f"Customer says the old password was {PASSWORD}; do not reuse it in the reset."
    # when
    message = services.ticket_reply(actor=supervisor, ticket=ticket, body=note, internal=True)
    # then
    assert (message.body, message.masked) == (note, [])


@pytest.fixture
def customer_api(customer) -> APIClient:
    client = APIClient()
    _token, key = AuthToken.objects.create(user=customer)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_api_create_and_reply_return_what_was_masked(customer_api):
    # when
    created = customer_api.post(
        "/api/v1/tickets/create",
        {"type": "other", "subject": "Wallet", "body": f"seed: {PHRASE}"},
        format="json",
    )
    number = created.json()["number"]
    replied = customer_api.post(
        f"/api/v1/tickets/{number}/reply", {"body": f"password: {PASSWORD}"}, format="json"
    )
    # then
    assert created.status_code == 201 and replied.status_code == 201
    [first] = created.json()["messages"]
    assert (first["body"], first["masked"]) == (f"seed: {MASK_EN}", ["seed_phrase"])
    assert (replied.json()["body"], replied.json()["masked"]) == (
        f"password: {MASK_EN}",
        ["password"],
    )
    detail = customer_api.get(f"/api/v1/tickets/{number}").json()
    assert [m["masked"] for m in detail["messages"]] == [["seed_phrase"], ["password"]]


def test_email_from_an_unknown_sender_with_a_seed_phrase_is_masked(agent):
    # given
    email = customer_email(
        sender="stranger@example.test",
        subject="Recover my wallet",
        body=f"Hello,\n\nmy recovery phrase is:\n{PHRASE}\n\nPlease restore my funds.",
    )
    # when
    intake = email_ingest(email.as_bytes(), source="pipe")
    # then
    ticket = intake.inbound.ticket
    message = ticket.messages.get(visibility=TicketMessage.Visibility.PUBLIC)
    assert ticket.requester.email == "stranger@example.test"
    assert PHRASE not in message.body and MASK_EN in message.body
    assert "Please restore my funds." in message.body
    assert message.masked == ["seed_phrase"]
    page = console_page(agent, ticket)
    assert "hidden: seed phrase" in page and PHRASE not in page
