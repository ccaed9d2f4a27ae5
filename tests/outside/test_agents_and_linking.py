"""Hand-off to an agent, the agent's replies (never their notes), leaving a message when
nobody serves, and linking a platform user to their Beacon account by a one-time code."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from livechat.models import ChatMessage, Conversation
from livechat.services.agent_actions import agent_reply
from outside import services
from outside.models import ExternalContact, LinkCode, OutboundMessage
from outside.selectors import external_contact_for, external_contacts_for

pytestmark = pytest.mark.django_db


def test_hand_off_agent_reply_goes_out_and_the_internal_note_never_does(
    telegram, platforms, deliver, agent
):
    # given: a Telegram user asks for a person while an agent is online
    telegram("I want to talk to a human agent")
    conversation = Conversation.objects.get()
    assert conversation.status == "active" and conversation.agent == agent
    # when: the agent writes a note and a reply
    agent_reply(
        user=agent,
        public_id=conversation.public_id,
        body="INTERNAL: customer sounds like a scam victim",
        internal=True,
    )
    agent_reply(user=agent, public_id=conversation.public_id, body="Hello, I am looking into it.")
    deliver()
    # then: the user hears that an agent joined and the reply, never the note
    texts = platforms.texts("telegram")
    assert any(text.startswith("Mei (") and "I am looking into it" in text for text in texts)
    assert any("Connecting you to a human agent" in text for text in texts)
    assert not any("INTERNAL" in text for text in texts)
    assert not OutboundMessage.objects.filter(text__contains="INTERNAL").exists()
    # and: the customer's next message reaches the agent's chat, not the bot
    telegram("thanks, my order id is 42")
    assert conversation.messages.filter(sender="customer").count() == 2
    assert conversation.messages.filter(sender="bot").count() == 1  # the greeting only


def test_with_nobody_serving_the_user_can_leave_a_message_as_a_ticket(telegram, platforms, deliver):
    telegram("I want to talk to a human agent")
    deliver()
    assert any("No agent is available right now" in text for text in platforms.texts("telegram"))
    telegram("/ticket ana@example.test my withdrawal has been pending for two days")
    conversation = Conversation.objects.get()
    assert conversation.status == "ended" and conversation.ticket is not None
    assert conversation.ticket.requester.email == "ana@example.test"
    deliver()
    assert any(conversation.ticket.number in text for text in platforms.texts("telegram"))


def test_a_ticket_without_an_email_is_refused_with_the_reason(telegram, platforms, deliver):
    telegram("hello")
    telegram("/ticket my withdrawal is stuck")
    deliver()
    assert Conversation.objects.get().ticket is None
    assert any("Your message was not saved" in text for text in platforms.texts("telegram"))


def _code(customer) -> str:
    browser = Client()
    browser.force_login(customer)
    page = browser.post("/account/linked-channels/", {"action": "code"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    return re.search(r'id="link-code">([A-Z0-9]+)<', page.content.decode()).group(1)


def test_linking_by_code_makes_the_next_chat_the_customers(telegram, platforms, deliver, customer):
    # given: an anonymous chat with the bot
    telegram("hello")
    anonymous = Conversation.objects.get()
    # when: the customer makes a code on the site and sends it to the bot
    code = _code(customer)
    telegram(f"/link {code}")
    deliver()
    # then: linked, and told so; the code's text is not kept in any chat
    contact = ExternalContact.objects.get()
    assert contact.user == customer and contact.linked_at is not None
    assert any("is now linked to your Beacon account" in t for t in platforms.texts("telegram"))
    assert not ChatMessage.objects.filter(body__contains=code).exists()
    # and: the next message starts a chat as the customer; the bot no longer asks to link
    telegram("why is my withdrawal still pending")
    mine = Conversation.objects.exclude(pk=anonymous.pk).get()
    assert mine.customer == customer
    party = external_contact_for(mine)
    assert party.linked_user == customer and not party.started_unproven
    assert external_contacts_for([mine.pk, anonymous.pk])[anonymous.pk].started_unproven
    # and: a used code does not work twice
    telegram(f"/link {code}", user_id=700100999)
    assert ExternalContact.objects.get(external_id="700100999").user is None


def test_a_wrong_or_expired_code_is_refused(telegram, platforms, deliver, customer):
    code = _code(customer)
    telegram("/link WRONG123")
    LinkCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    telegram(f"/link {code}")
    deliver()
    assert ExternalContact.objects.get().user is None
    refusals = [t for t in platforms.texts("telegram") if "wrong or has expired" in t]
    assert len(refusals) == 2


def test_link_attempts_are_rate_limited(telegram, customer, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "outside_link": "2/10m/key"}
    for guess in ("AAAAAAAA", "BBBBBBBB"):
        telegram(f"/link {guess}")
    code = _code(customer)
    telegram(f"/link {code}")  # the right one, but after the limit
    assert ExternalContact.objects.get().user is None


def test_a_new_code_replaces_the_old_one(customer):
    first, _row = services.link_code_create(user=customer)
    second, _row = services.link_code_create(user=customer)
    assert first != second and LinkCode.objects.filter(user=customer).count() == 1
    assert not LinkCode.objects.filter(code_hash=services._code_hash(first)).exists()


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Linked channels"), ("zh-hans", "已关联的渠道")]
)
def test_the_linked_channels_page_in_both_languages(customer, language, heading, telegram):
    telegram("hello")
    ExternalContact.objects.update(user=customer, linked_at=timezone.now())
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    browser.force_login(customer)
    customer.language = language
    customer.save(update_fields=["language"])
    page = browser.get("/account/linked-channels/")
    assert page.status_code == 200
    assert heading in page.content.decode() and "@linwei_trades" in page.content.decode()


def test_the_page_needs_sign_in_and_unlinks_only_ones_own(client, customer, user_factory, telegram):
    assert client.get("/account/linked-channels/").status_code == 302
    telegram("hello")
    contact = ExternalContact.objects.get()
    ExternalContact.objects.update(user=customer, linked_at=timezone.now())
    other = Client()
    other.force_login(user_factory(email="other@example.test"))
    other.post("/account/linked-channels/", {"action": "unlink", "contact": contact.pk})
    assert ExternalContact.objects.get().user == customer
    mine = Client()
    mine.force_login(customer)
    response = mine.post("/account/linked-channels/", {"action": "unlink", "contact": contact.pk})
    assert response.status_code == 302 and ExternalContact.objects.get().user is None
    assert mine.post("/account/linked-channels/", {"action": "nonsense"}).status_code == 400


def test_a_quiet_platform_user_stays_present_while_waiting(telegram):
    telegram("hello")
    conversation = Conversation.objects.get()
    Conversation.objects.update(customer_seen_at=timezone.now() - timedelta(minutes=10))
    assert services.contacts_keep_present() == 1
    conversation.refresh_from_db()
    assert conversation.customer_seen_at > timezone.now() - timedelta(minutes=1)


def test_an_emergency_gets_the_freeze_page_linked_or_the_link_request(
    telegram, platforms, deliver, customer
):
    # an anonymous user: the urgent words, and how to link
    telegram("my account was hacked", user_id=700100301)
    deliver()
    anonymous = " ".join(platforms.texts("telegram"))
    assert "This sounds urgent" in anonymous and "/link" in anonymous
    # a linked one: the urgent words and the freeze page (no button on Telegram)
    code = _code(customer)
    telegram(f"/link {code}", user_id=700100302)
    telegram("my account was hacked", user_id=700100302)
    deliver()
    linked = [t for t in platforms.texts("telegram") if "freeze it now" in t]
    assert linked and "https://support.beacon.test/account/freeze/" in linked[0]


def test_the_agent_sees_the_platform_and_handle_beside_the_chat(telegram, agent, client):
    # given: a Telegram user's chat with the agent
    telegram("I want to talk to a human agent")
    conversation = Conversation.objects.get()
    party = external_contact_for(conversation)
    # when: the agent opens the chat's context panel in the console
    client.force_login(agent)
    page = client.get(f"/console/chats/{conversation.public_id}/context").content.decode()
    # then: the platform, the handle, and that nothing about an account may be discussed
    assert party.platform_label in page and party.handle in page
    assert "Do not discuss account details" in page
