"""Splitting messages off a ticket into a new one: the service's rules and the console page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import user_role_grant
from core.exceptions import ApplicationError
from tickets import services
from tickets.models import (
    SlaPolicy,
    Team,
    Ticket,
    TicketAttachment,
    TicketDaySequence,
    TicketEvent,
    TicketMessage,
)

pytestmark = pytest.mark.django_db
CARD = "Card-question-Kp55: and why was my card payment declined?"
NOTE = "Note-Hj31: card issue is a separate matter."


def make_user(email: str, role: Role | None = None) -> User:
    user = User.objects.create_user(email, "pw-long-enough-1")
    if role:
        user_role_grant(user=user, role=role)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"tickets:{name}", args=[ticket.number])


def state() -> tuple:
    """Everything a failed split must leave as it was."""
    return (
        Ticket.objects.count(),
        sorted(TicketMessage.objects.values_list("id", "ticket_id")),
        TicketEvent.objects.count(),
        list(TicketDaySequence.objects.values_list("day", "last")),
        list(Ticket.objects.order_by("id").values_list("status", "merged_into_id")),
    )


@pytest.fixture
def agent() -> User:
    return make_user("agent@example.test", Role.AGENT)


@pytest.fixture
def conversation(customer, agent, ticket_factory, png_file, private_media):
    """A withdrawal request in Chinese by chat, where the customer raised a second matter
    (with a screenshot) and the agent noted it: first, card question, note."""
    ticket = ticket_factory(customer, channel=Ticket.Channel.CHAT, language="zh-hans")
    card = services.ticket_reply(actor=customer, ticket=ticket, body=CARD, files=[png_file()])
    note = services.ticket_reply(actor=agent, ticket=ticket, body=NOTE, internal=True)
    ticket.refresh_from_db()
    return ticket, ticket.messages.order_by("id").first(), card, note


# ---------------------------------------------------------------------------- service


def test_ticket_split_moves_the_chosen_messages_with_attachments_to_a_new_ticket(
    customer, agent, conversation
):
    # given
    ticket, first, card, note = conversation
    # when
    new = services.ticket_split(
        actor=agent, ticket=ticket, message_ids=[card.id, note.id], subject="Card declined"
    )
    # then: same customer, type, language and channel; a fresh number of the same day
    assert (new.requester, new.type, new.language, new.channel, new.subject) == (
        customer,
        ticket.type,
        "zh-hans",
        Ticket.Channel.CHAT,
        "Card declined",
    )
    assert new.number[:7] == ticket.number[:7]
    assert int(new.number[7:]) == TicketDaySequence.objects.get().last
    assert list(new.messages.order_by("id")) == [card, note]
    assert list(ticket.messages.all()) == [first]
    assert TicketAttachment.objects.get().message.ticket == new
    note.refresh_from_db()
    assert note.visibility == TicketMessage.Visibility.INTERNAL
    # both point at the other
    assert list(ticket.events.filter(kind=TicketEvent.Kind.SPLIT_TO).values_list("to_value")) == [
        (f"{new.number} (-2)",)
    ]
    assert new.events.filter(kind=TicketEvent.Kind.SPLIT_FROM, from_value=ticket.number).exists()


def test_ticket_split_without_a_subject_names_the_original(agent, conversation):
    # given
    ticket, _first, card, _note = conversation
    # when
    new = services.ticket_split(actor=agent, ticket=ticket, message_ids=[card.id], subject="  ")
    # then: in the language of the ticket (these tests have no Chinese catalogue to compare)
    assert ticket.number in new.subject and ticket.subject in new.subject


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ("none", "Tick the messages to split off."),
        ("all", "Leave at least one message on this ticket."),
        ("other_ticket", "Choose messages of this ticket only."),
        ("garbage", "Choose messages of this ticket only."),
    ],
)
def test_ticket_split_refuses_bad_choices_and_changes_nothing(
    customer, agent, conversation, ticket_factory, choice, message
):
    # given
    ticket, first, card, note = conversation
    elsewhere = ticket_factory(customer, subject="Another one").messages.get()
    ids = {
        "none": [],
        "all": [first.id, card.id, note.id],
        "other_ticket": [card.id, elsewhere.id],
        "garbage": [str(card.id), "1 OR 1=1"],
    }[choice]
    before = state()
    # when / then
    with pytest.raises(ApplicationError, match=re.escape(message)):
        services.ticket_split(actor=agent, ticket=ticket, message_ids=ids, subject="")
    assert state() == before


@pytest.mark.parametrize("how", ["closed", "merged"])
def test_ticket_split_refuses_a_closed_or_merged_ticket(
    customer, agent, conversation, ticket_factory, how
):
    # given
    ticket, _first, card, _note = conversation
    if how == "merged":
        services.ticket_merge(actor=agent, source=ticket, target=ticket_factory(customer))
    else:
        Ticket.objects.filter(id=ticket.id).update(status=Ticket.Status.CLOSED)
    before = state()
    # when / then
    with pytest.raises(ApplicationError, match="A merged or closed ticket cannot be split."):
        services.ticket_split(actor=agent, ticket=ticket, message_ids=[card.id], subject="")
    assert state() == before


def test_ticket_split_refuses_the_customer(customer, conversation):
    # given
    ticket, _first, card, _note = conversation
    before = state()
    # when / then
    with pytest.raises(PermissionDenied):
        services.ticket_split(actor=customer, ticket=ticket, message_ids=[card.id], subject="")
    assert state() == before


# ---------------------------------------------------------------------------- console page


def test_console_split_shows_the_new_ticket_and_both_timelines(customer, agent, conversation):
    # given
    ticket, _first, card, note = conversation
    client = client_for(agent)
    page = client.get(url("console-ticket", ticket)).content.decode()
    # when
    response = client.post(
        url("console-split", ticket),
        {"messages": [str(card.id), str(note.id)], "subject": "Card declined"},
        follow=True,
    )
    # then: the agent lands on the new ticket, which holds the card question and the note
    assert 'for="split-subject"' in page and 'id="split-subject"' in page
    assert page.count('form="split-form"') == 3
    new = Ticket.objects.get(subject="Card declined")
    body = response.content.decode()
    assert response.redirect_chain == [(url("console-ticket", new), 302)]
    assert f"Split off from {ticket.number}." in body
    assert CARD in body and NOTE in body and "screenshot.png" in body
    assert f"Split from a ticket: {ticket.number} → {new.number}" in body
    original = client.get(url("console-ticket", ticket)).content.decode()
    assert CARD not in original
    assert f"Split into a new ticket: {ticket.number} → {new.number} (-2)" in original
    # and the customer sees the new request, without the internal note
    theirs = client_for(customer).get(f"/requests/{new.number}/").content.decode()
    assert CARD in theirs and NOTE not in theirs


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Tick the messages to split off."),
        ({"messages": ["abc"]}, "Choose messages of this ticket only."),
        ({"messages": ["\x00"]}, "held something Beacon cannot read"),  # core.input_guard
        ({"messages": ["9" * 40]}, "Choose messages of this ticket only."),
        ({"messages": ["-1"]}, "Choose messages of this ticket only."),
        ({"messages": ["CARD"], "subject": "x" * 201}, "A subject of 1 to 200 characters"),
        ({"messages": ["CARD", "CARD", "FIRST", "NOTE"]}, "Leave at least one message"),
    ],
)
def test_console_split_with_bad_input_gets_400_and_a_message(agent, conversation, data, message):
    # given
    ticket, first, card, note = conversation
    named = {"CARD": card.id, "FIRST": first.id, "NOTE": note.id}
    data = {**data, "messages": [str(named.get(m, m)) for m in data.get("messages", [])]}
    before = state()
    # when
    response = client_for(agent).post(url("console-split", ticket), data)
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state() == before


def test_console_split_of_another_teams_ticket_is_404(customer, ticket_factory):
    # given
    team = Team.objects.create(slug="vip", name_en="VIP", name_zh_hans="贵宾")
    ticket = ticket_factory(customer, subject="Team ticket")
    Ticket.objects.filter(id=ticket.id).update(team=team)
    services.ticket_reply(actor=customer, ticket=ticket, body="Second matter")
    outsider = make_user("outsider@example.test", Role.AGENT)
    ids = [str(m.id) for m in ticket.messages.all()][1:]
    before = state()
    # when
    response = client_for(outsider).post(url("console-split", ticket), {"messages": ids})
    # then
    assert response.status_code == 404
    assert state() == before


def test_console_offers_no_split_for_a_single_message_or_a_closed_ticket(agent, ticket_factory):
    # given
    customer = make_user("solo@example.test")
    single = ticket_factory(customer)
    closed = ticket_factory(customer, subject="Closed one")
    services.ticket_reply(actor=customer, ticket=closed, body="More")
    Ticket.objects.filter(id=closed.id).update(status=Ticket.Status.CLOSED)
    client = client_for(agent)
    # when
    pages = [client.get(url("console-ticket", t)).content.decode() for t in (single, closed)]
    # then
    assert all('id="split-form"' not in page for page in pages)


def test_console_split_label_does_not_hide_the_reply_box_label(agent, conversation):
    # given: browser tests find the reply box by its label "Message"
    ticket, *_rest = conversation
    # when
    page = client_for(agent).get(url("console-ticket", ticket)).content.decode()
    # then
    labels = [
        re.sub(r"<[^>]+>", "", text).strip()
        for text in re.findall(r"<label[^>]*>(.*?)</label>", page, flags=re.S)
    ]
    assert [text for text in labels if "message" in text.lower()] == ["Message"]
    assert labels.count("Split off") == 3


def test_ticket_split_starts_the_new_tickets_sla_clock(agent, conversation):
    # given: first response within an hour for withdrawal problems
    ticket, _first, card, _note = conversation
    SlaPolicy.objects.create(name="Withdrawals", ticket_type=ticket.type, first_response_minutes=60)
    # when
    new = services.ticket_split(actor=agent, ticket=ticket, message_ids=[card.id], subject="")
    # then
    new.refresh_from_db()
    assert new.sla_target == "first_response"
    assert new.sla_due_at == new.created_at + dt.timedelta(minutes=60)
