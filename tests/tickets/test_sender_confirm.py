"""The owner of an address answers "was it you?" for a request filed in their name."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from accounts import trust
from tickets import notices, selectors
from tickets.models import Ticket, TicketType
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

LURE = "URGENT: re-verify at http://beacon-secure.example"
CODE = "BLUE-OTTER-42"


@pytest.fixture
def owner(user_factory):
    user = user_factory(email="owner@example.test", language="zh-hans")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.anti_phishing_code = CODE
    user.save(update_fields=["anti_phishing_code"])
    return user


@pytest.fixture
def agent(user_factory):
    from accounts.models import Role
    from accounts.services import user_role_grant

    user = user_factory(email="agent@example.test", is_staff=True)
    user_role_grant(user=user, role=Role.AGENT)
    return user


def _unproven(owner) -> Ticket:
    return ticket_create(
        requester=owner,
        ticket_type=TicketType.objects.get(slug="other"),
        subject=LURE,
        body=LURE,
        field_values={},
        channel=Ticket.Channel.CHAT,
        language="zh-hans",
        proof=trust.Proof.UNPROVEN,
    )


def _confirm_link(deliver_outbox) -> str:
    deliver_outbox()
    (email,) = mail.outbox
    return re.search(r"http://[^/\s]+(/requests/confirm/[^/\s]+/)", email.body)[1]


def test_the_page_shows_no_text_and_yes_lists_the_request(owner, deliver_outbox):
    ticket = _unproven(owner)
    path = _confirm_link(deliver_outbox)
    client = Client()  # the link works without signing in: it proves the mailbox

    page = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert ticket.number in page.content.decode() and "beacon-secure" not in page.content.decode()
    assert list(selectors.ticket_list_for_user(user=owner)) == []

    answered = client.post(path, {"answer": "yes"})

    assert answered.status_code == 200
    ticket.refresh_from_db()
    assert ticket.sender_proven
    assert list(selectors.ticket_list_for_user(user=owner)) == [ticket]
    assert ticket.events.filter(kind="sender", to_value="confirmed").exists()


def test_no_tells_the_agents_and_the_first_answer_stands(owner, deliver_outbox):
    ticket = _unproven(owner)
    path = _confirm_link(deliver_outbox)
    client = Client()

    client.post(path, {"answer": "no"})
    again = client.post(path, {"answer": "yes"})  # a later click changes nothing

    assert again.status_code == 200
    ticket.refresh_from_db()
    assert not ticket.sender_proven and "sender-denied" in ticket.tags
    assert ticket.messages.filter(visibility="internal", body__contains="did not make").exists()


@pytest.mark.parametrize("answer", ["", "maybe", "yes\x00"])
def test_a_wrong_answer_is_a_400_and_changes_nothing(owner, deliver_outbox, answer):
    ticket = _unproven(owner)
    response = Client().post(_confirm_link(deliver_outbox), {"answer": answer})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert not ticket.sender_proven and "sender-denied" not in ticket.tags


def test_a_changed_or_foreign_link_is_refused(owner, user_factory, deliver_outbox):
    ticket = _unproven(owner)
    path = _confirm_link(deliver_outbox)
    client = Client()
    assert client.get(path[:-3] + "xx/").status_code == 400
    assert client.get("/requests/confirm/" + "a" * 300 + "/").status_code == 400
    # the requester changed (e.g. an agent moved it): the old link names nobody
    ticket.requester = user_factory(email="other@example.test")
    ticket.save(update_fields=["requester"])
    assert client.post(path, {"answer": "yes"}).status_code == 400


def test_every_email_about_an_unproven_request_quotes_nothing_and_has_no_code(
    owner, agent, deliver_outbox
):
    """Received, an agent's reply, a reminder, solved: none vouches for the outsider's text."""
    from tickets.services import ticket_reply

    ticket = _unproven(owner)
    ticket_reply(actor=agent, ticket=ticket, body="We will look into it.")
    ticket.refresh_from_db()
    ticket.sla_paused_at = ticket.updated_at
    ticket.solved_at = ticket.updated_at
    notices.pending_reminder(ticket)
    notices.solved(ticket, automatic=False)
    deliver_outbox()

    sent = [m for m in mail.outbox if m.to == [owner.email]]
    assert len(sent) == 4
    for email in sent:
        for part in (email.subject, email.body, email.alternatives[0][0]):
            assert CODE not in part and "beacon-secure" not in part
        assert "/requests/confirm/" in email.body
    assert any("We will look into it." in m.body for m in sent)  # Beacon's own words are fine
