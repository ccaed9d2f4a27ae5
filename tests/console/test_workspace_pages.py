"""The agent workspace on the server (issue 16): in-place edits answer the changed parts
of the ticket page to an HX-Request and still redirect a plain form; "My work" mixes the
agent's own tickets and chats and nobody else's; customers by name, times in the agent's
zone and language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_role_grant
from livechat.models import ChatMessage, Conversation
from tickets import services
from tickets.models import Ticket, TicketType

pytestmark = pytest.mark.django_db
PASSWORD = "pw-long-enough-1"
HX = {"HTTP_HX_REQUEST": "true"}


def make_user(email: str, role: Role | None = None, **extra) -> User:
    user = User.objects.create_user(email, PASSWORD, **extra)
    if role:
        user_role_grant(user=user, role=role)
    return user


def make_ticket(requester: User, subject: str = "Withdrawal not received", **kwargs) -> Ticket:
    kwargs.setdefault("ticket_type", TicketType.objects.get(slug="other"))
    kwargs.setdefault("field_values", {})
    return services.ticket_create(requester=requester, subject=subject, body="Help.", **kwargs)


def client_for(user: User, **cookies: str) -> Client:
    client = Client()
    client.force_login(user)
    for name, value in cookies.items():
        client.cookies[name] = value
    return client


def make_chat(*, customer: User | None, agent: User | None, status: str, **extra) -> Conversation:
    now = timezone.now()
    return Conversation.objects.create(
        customer=customer,
        visitor_key="" if customer else "v" * 64,
        status=status,
        agent=agent,
        queued_at=now,
        assigned_at=now if agent else None,
        **extra,
    )


def ticket_url(name: str, ticket: Ticket) -> str:
    return reverse(f"tickets:{name}", args=[ticket.number])


@pytest.fixture
def customer() -> User:
    return make_user("lin@example.test", first_name="Lin", last_name="Wei")


@pytest.fixture
def agent() -> User:
    return make_user("omar@example.test", Role.AGENT, first_name="Omar")


@pytest.fixture
def ticket(customer) -> Ticket:
    return make_ticket(customer)


# ------------------------------------------------------------------ in-place edits


def test_status_change_in_place_answers_the_changed_parts_not_a_page(agent, ticket):
    # when
    response = client_for(agent).post(
        ticket_url("console-status", ticket), {"status": "open"}, **HX
    )
    # then
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="ticket-properties"' in body and 'id="ticket-summary"' in body
    assert 'id="ws-announce"' in body and "Status changed." in body
    # the composer is left alone: a draft being written must survive another edit
    assert 'id="composer"' not in body
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def test_the_same_edit_without_script_still_redirects_with_a_message(agent, ticket):
    # when
    client = client_for(agent)
    response = client.post(ticket_url("console-priority", ticket), {"priority": "urgent"})
    # then
    assert response.status_code == 302
    assert response["Location"] == ticket_url("console-ticket", ticket)
    assert "Priority changed." in client.get(response["Location"]).content.decode()


def test_priority_in_place_marks_the_new_priority_pressed(agent, ticket):
    # when
    response = client_for(agent).post(
        ticket_url("console-priority", ticket), {"priority": "high"}, **HX
    )
    # then
    body = response.content.decode()
    pressed = re.findall(r'name="priority" value="(\w+)"[^>]*aria-pressed="true"', body)
    assert pressed == ["high"] and "Priority: High" in body


def test_assign_to_me_in_place_updates_the_assignee_and_my_counts(agent, ticket):
    # when
    response = client_for(agent).post(
        ticket_url("console-assign", ticket), {"assignee": "me"}, **HX
    )
    # then
    body = response.content.decode()
    assert "Assignment saved." in body and "Assignee: <strong>Omar</strong>" in body
    assert 'data-shortcut="assign-me"' not in body  # nothing left to take
    counts = re.search(r'<ul class="ws-counts" id="ws-counts".*?</ul>', body, re.S)[0]
    assert re.search(r'data-count="my-tickets"><span class="ws-count-n">1</span>', counts)


def test_tags_in_place_add_and_remove(agent, ticket):
    client = client_for(agent)
    # when
    added = client.post(ticket_url("console-tags", ticket), {"add": "vip usdt"}, **HX)
    removed = client.post(ticket_url("console-tags", ticket), {"remove": "vip"}, **HX)
    # then
    assert 'aria-label="Remove tag vip"' in added.content.decode()
    assert 'aria-label="Remove tag vip"' not in removed.content.decode()
    ticket.refresh_from_db()
    assert ticket.tags == ["usdt"]


def test_a_refused_edit_in_place_is_a_400_fragment_with_an_alert(agent, ticket):
    # when: a status the workflow does not allow from "new"
    response = client_for(agent).post(
        ticket_url("console-status", ticket), {"status": "closed"}, **HX
    )
    # then
    body = response.content.decode()
    assert response.status_code == 400 and "<html" not in body
    assert re.search(r'<div id="ticket-error"><p class="error console-error" role="alert">', body)


def test_an_internal_note_in_place_comes_back_in_the_conversation_and_a_fresh_composer(
    agent, ticket
):
    # when
    response = client_for(agent).post(
        ticket_url("console-reply", ticket),
        {"visibility": "internal", "body": "Checked the hot wallet."},
        **HX,
    )
    # then
    body = response.content.decode()
    assert "Internal note added." in body and "Checked the hot wallet." in body
    composer = re.search(
        r'<section class="reply-box composer" id="composer".*?</section>', body, re.S
    )[0]
    assert "Checked the hot wallet." not in composer  # emptied for the next message
    assert ticket.messages.filter(visibility="internal").count() == 1


def test_a_refused_reply_keeps_the_draft_and_the_note_mode(agent, ticket):
    # when: an empty body is refused
    response = client_for(agent).post(
        ticket_url("console-reply", ticket), {"visibility": "internal", "body": " "}, **HX
    )
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="mode-internal" name="visibility" value="internal" checked', body)


def test_the_ticket_page_has_one_composer_with_a_toggle_and_no_save_buttons(agent, ticket):
    # when
    page = client_for(agent).get(ticket_url("console-ticket", ticket)).content.decode()
    # then
    assert page.count("<textarea") == 1
    assert 'id="mode-public"' in page and 'id="mode-internal"' in page
    for old in ("Save status", "Save priority", "Take it"):
        assert old not in page
    assert 'data-shortcut="solve"' not in page or "data-confirm=" in page


# ------------------------------------------------------------------ my work


def test_my_work_mixes_my_tickets_and_my_chats_newest_activity_first(agent, customer):
    # given: my ticket (older activity), my chat with a message now, and others' work
    other = make_user("mei@example.test", Role.AGENT, first_name="Mei")
    mine = make_ticket(customer, "Deposit missing")
    services.ticket_assign(actor=agent, ticket=mine, assignee=agent)
    Ticket.objects.filter(pk=mine.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))
    theirs = make_ticket(customer, "Someone else's ticket")
    services.ticket_assign(actor=other, ticket=theirs, assignee=other)
    bob = make_user("bob@example.test")
    my_chat = make_chat(customer=bob, agent=agent, status=Conversation.Status.ACTIVE)
    ChatMessage.objects.create(conversation=my_chat, seq=1, sender="customer", body="hi")
    their_chat = make_chat(
        customer=make_user("zed@example.test"), agent=other, status=Conversation.Status.ACTIVE
    )
    make_chat(customer=customer, agent=agent, status=Conversation.Status.ENDED)
    # when
    response = client_for(agent).get(reverse("tickets:console-inbox"))
    # then
    items = response.context["items"]
    assert [(i.channel, i.key) for i in items] == [
        ("chat", str(my_chat.public_id)),
        ("ticket", mine.number),
    ]
    body = response.content.decode()
    assert str(their_chat.public_id) not in body and theirs.number not in body
    assert "bob@example.test" in body and "Lin Wei" in body
    assert body.count('data-channel="chat"') == 1 and body.count('data-channel="ticket"') == 1
    assert "#" + str(my_chat.public_id)[:8] + "<" not in body  # never named by its id


def test_a_supervisor_sees_only_their_own_chats_in_my_work(customer):
    # given
    boss = make_user("boss@example.test", Role.SUPERVISOR)
    agent = make_user("a@example.test", Role.AGENT)
    chat = make_chat(customer=customer, agent=agent, status=Conversation.Status.ACTIVE)
    # when
    response = client_for(boss).get(reverse("tickets:console-inbox"))
    # then
    assert response.context["items"] == []
    assert str(chat.public_id) not in response.content.decode()


def test_a_security_reviewer_gets_my_work_without_chats_and_the_security_queues(customer):
    # given
    reviewer = make_user("rev@example.test", Role.SECURITY_REVIEWER)
    # when
    body = client_for(reviewer).get(reverse("tickets:console-inbox")).content.decode()
    # then: the rail shows what they may open, and no chat counts or links
    assert reverse("security_desk:kyc-queue") in body
    assert 'data-count="my-chats"' not in body and reverse("chat_console:home") not in body


def test_the_rail_shows_reports_to_supervisors_only(agent):
    boss = make_user("boss@example.test", Role.SUPERVISOR)
    inbox = reverse("tickets:console-inbox")
    assert reverse("tickets:reports") in client_for(boss).get(inbox).content.decode()
    assert reverse("tickets:reports") not in client_for(agent).get(inbox).content.decode()


def test_my_work_is_in_chinese_for_a_chinese_agent(agent, ticket):
    # given
    services.ticket_assign(actor=agent, ticket=ticket, assignee=agent)
    # when
    body = client_for(agent, beacon_language="zh-hans").get(reverse("tickets:console-inbox"))
    # then
    text = body.content.decode()
    assert "我的工作" in text and "工单" in text and "我的未结工单" in text


# ------------------------------------------------------------------ names and times


def test_waiting_chats_name_their_customer(agent, customer):
    # given
    make_chat(customer=customer, agent=None, status=Conversation.Status.QUEUED)
    make_chat(
        customer=None, agent=None, status=Conversation.Status.QUEUED, visitor_email="v@x.test"
    )
    # when
    body = client_for(agent).get(reverse("chat_console:waiting")).content.decode()
    # then
    assert "Lin Wei" in body and f"UID {customer.uid}" in body and "v@x.test" in body


def test_chat_context_names_the_customer_for_the_chat_title(agent, customer):
    # given
    chat = make_chat(customer=customer, agent=agent, status=Conversation.Status.ACTIVE)
    # when
    body = client_for(agent).get(reverse("chat_console:context", args=[chat.public_id]))
    # then
    assert 'data-customer-label="Lin Wei"' in body.content.decode()


def test_times_follow_the_agents_saved_time_zone(agent, customer):
    # given: a field typed as a moment (stored as UTC ISO) and an agent in Shanghai
    agent.time_zone = "Asia/Shanghai"
    agent.save(update_fields=["time_zone"])
    ticket = make_ticket(customer)
    Ticket.objects.filter(pk=ticket.pk).update(
        fields={"occurred_at": "2026-03-01T02:30:00+00:00"},
        created_at=dt.datetime(2026, 3, 1, 23, 5, tzinfo=dt.UTC),
    )
    # when
    body = client_for(agent).get(ticket_url("console-ticket", ticket)).content.decode()
    # then: no raw ISO, a <time> with the UTC moment and the local one shown
    assert "2026-03-01T02:30:00+00:00<" not in body
    assert re.search(
        r'<time datetime="2026-03-01T02:30:00Z" title="[^"]*\(Asia/Shanghai\)">March 1, 2026, 10:30 a\.m\.</time>',
        body,
    )
    assert re.search(
        r'<time datetime="2026-03-01T23:05:00Z"[^>]*>March 2, 2026, 7:05 a\.m\.</time>', body
    )


def test_times_follow_the_browser_cookie_and_the_language(agent, ticket):
    # given: no saved zone; the browser said New York; the page in Chinese
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=dt.datetime(2026, 3, 1, 23, 5, tzinfo=dt.UTC)
    )
    client = client_for(agent, beacon_tz="America/New_York", beacon_language="zh-hans")
    # when
    body = client.get(ticket_url("console-ticket", ticket)).content.decode()
    # then
    assert re.search(r'<time datetime="2026-03-01T23:05:00Z"[^>]*>2026年3月1日 18:05</time>', body)


def test_a_bogus_time_zone_cookie_falls_back_to_utc(agent, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=dt.datetime(2026, 3, 1, 23, 5, tzinfo=dt.UTC)
    )
    client = client_for(agent, beacon_tz="../../etc/passwd")
    response = client.get(ticket_url("console-ticket", ticket))
    assert response.status_code == 200
    assert re.search(
        r'datetime="2026-03-01T23:05:00Z" title="[^"]*\(UTC\)">March 1, 2026, 11:05 p\.m\.',
        response.content.decode(),
    )
