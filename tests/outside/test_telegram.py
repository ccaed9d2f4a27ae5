"""Telegram round trips against a local server that speaks the Bot API (fake_platforms)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from livechat.models import ChatMessage, Conversation
from outside import services
from outside.models import ExternalContact, ExternalConversation, InboundEvent, OutboundMessage
from outside.selectors import external_contact_for

pytestmark = pytest.mark.django_db

LATER = timedelta(hours=2)  # past every backoff: the sweep tries again


def test_a_signed_message_becomes_a_chat_and_the_bot_answers_on_telegram(
    telegram, platforms, deliver
):
    # when: a Telegram user writes to the bot
    response = telegram("what is the difference between a limit and a market order")
    # then: a chat with the bot, the message in it as an anonymous visitor's
    assert response.status_code == 200
    conversation = Conversation.objects.get()
    assert conversation.customer is None and conversation.status == "bot"
    customer_line = conversation.messages.get(sender="customer")
    assert customer_line.body == "what is the difference between a limit and a market order"
    # and: the greeting and the bot's answer reach the user's chat, in order
    assert deliver() >= 2
    sent = [item for item in platforms.sent if item["platform"] == "telegram"]
    assert {item["to"] for item in sent} == {"700100200"}
    public = conversation.messages.filter(sender__in=["bot"]).order_by("seq")
    assert len(sent) == public.count()
    assert sent[0]["text"].startswith("Hi, I'm Beacon's assistant")
    assert all(row.status == "sent" for row in OutboundMessage.objects.all())
    # and: agents can tell where the chat is from
    party = external_contact_for(conversation)
    assert (party.platform, party.handle, party.linked_user) == ("telegram", "@linwei_trades", None)


def test_a_second_message_continues_the_same_chat(telegram, deliver):
    telegram("hello")
    telegram("are you there?")
    assert Conversation.objects.count() == 1
    assert Conversation.objects.get().messages.filter(sender="customer").count() == 2


def test_a_bad_secret_is_refused_logged_and_stores_nothing(telegram, platforms, caplog):
    with caplog.at_level(logging.WARNING, logger="outside.views"):
        wrong = telegram("hello", secret="not-the-secret")
        missing = telegram("hello", secret="")
    assert wrong.status_code == 401 and missing.status_code == 401
    assert "telegram webhook refused" in caplog.text
    assert not InboundEvent.objects.exists() and not ExternalContact.objects.exists()
    assert not Conversation.objects.exists() and not OutboundMessage.objects.exists()


def test_a_replayed_update_is_ignored(telegram, deliver, platforms):
    first = telegram("where is my deposit", update_id=555)
    deliver()
    sent_before = len(platforms.sent)
    again = telegram("where is my deposit", update_id=555)
    assert first.status_code == again.status_code == 200
    assert ChatMessage.objects.filter(sender="customer").count() == 1
    assert InboundEvent.objects.count() == 1
    deliver()
    assert len(platforms.sent) == sent_before


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b'{"update_id": "x"}',
        b"\xff\xfe",
        b'{"update_id": 1, "message": 5}',
    ],
)
def test_malformed_bodies_are_400(client, body):
    response = client.post(
        "/outside/telegram/webhook",
        data=body,
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="telegram-webhook-secret_0123456789",
    )
    assert response.status_code in (200, 400)
    assert response.status_code == 400 or body == b'{"update_id": 1, "message": 5}'
    assert not Conversation.objects.exists()


def test_a_deeply_nested_body_is_400(client):
    response = client.post(
        "/outside/telegram/webhook",
        data="[" * 30_000 + "]" * 30_000,
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="telegram-webhook-secret_0123456789",
    )
    assert response.status_code == 400


def test_a_huge_body_is_400(client):
    body = json.dumps({"update_id": 1, "message": {"text": "x" * 200_000}})
    response = client.post(
        "/outside/telegram/webhook",
        data=body,
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="telegram-webhook-secret_0123456789",
    )
    assert response.status_code == 400
    assert not InboundEvent.objects.exists()


def test_group_chats_edits_and_other_updates_are_acknowledged_and_ignored(client):
    for update in (
        {"update_id": 7, "edited_message": {"message_id": 1, "text": "x"}},
        {
            "update_id": 8,
            "message": {
                "message_id": 2,
                "from": {"id": 1, "is_bot": False, "first_name": "A"},
                "chat": {"id": -100, "type": "group", "title": "traders"},
                "date": 1,
                "text": "hi all",
            },
        },
    ):
        response = client.post(
            "/outside/telegram/webhook",
            data=json.dumps(update),
            content_type="application/json",
            HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="telegram-webhook-secret_0123456789",
        )
        assert response.status_code == 200
    assert not Conversation.objects.exists()


def test_an_unconfigured_platform_has_no_webhook(client, settings):
    settings.OUTSIDE_TELEGRAM_BOT_TOKEN = ""
    response = client.post("/outside/telegram/webhook", data="{}", content_type="application/json")
    assert response.status_code == 404
    assert client.post("/outside/myspace/webhook").status_code == 404


def test_a_platform_that_is_down_makes_replies_wait_then_sends_each_once(
    telegram, platforms, deliver
):
    # given: Telegram answers 502
    platforms.mode = "down"
    telegram("hello there")
    # when: the task (here the sweep) tries
    assert deliver() == 0
    waiting = OutboundMessage.objects.order_by("id")
    assert waiting.count() >= 2 and all(row.status == "pending" for row in waiting)
    assert waiting[0].attempts == 1 and "502" in waiting[0].last_error
    assert waiting[0].next_try > timezone.now()
    # and: again later, still down: still waiting, nothing lost
    assert deliver(now=timezone.now() + LATER) == 0
    assert OutboundMessage.objects.filter(status="pending").count() == waiting.count()
    # when: it is back
    platforms.mode = "up"
    count = waiting.count()
    assert deliver(now=timezone.now() + 2 * LATER) == count
    # then: each reply arrived exactly once, in order, and a further sweep sends nothing
    assert deliver(now=timezone.now() + 3 * LATER) == 0
    texts = platforms.texts("telegram")
    assert len(texts) == count == len(set(texts))
    assert texts[0].startswith("Hi, I'm Beacon's assistant")


def test_a_platform_that_is_gone_keeps_replies_until_it_returns(telegram, platforms, deliver):
    platforms.stop()  # connection refused
    telegram("hello there")
    assert deliver() == 0
    assert OutboundMessage.objects.filter(status="pending").exists()
    platforms.start()  # the same port again
    sent = deliver(now=timezone.now() + LATER)
    assert sent == OutboundMessage.objects.count() == len(platforms.texts("telegram"))


def test_sending_a_row_twice_posts_it_once(telegram, platforms):
    telegram("hello there")
    row = OutboundMessage.objects.order_by("id").first()
    assert services.outbound_send(outbound_id=row.pk) == "sent"
    assert services.outbound_send(outbound_id=row.pk) == "sent"
    assert platforms.texts("telegram").count(row.text) == 1
    # and: writing the same reply again makes no second row
    message = ChatMessage.objects.filter(sender="bot").order_by("seq").first()
    assert services.chat_message_deliver(message=message) == 1
    assert (
        OutboundMessage.objects.filter(idempotency_key__startswith=f"chat:{message.pk}:").count()
        == 1
    )


def test_a_user_who_blocked_the_bot_fails_the_row_without_retrying(telegram, settings, deliver):
    settings.OUTSIDE_TELEGRAM_BOT_TOKEN = "123456:revoked"  # the fake answers 401
    telegram("hello there")
    deliver()
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"failed"}


def test_an_unlinked_user_asking_about_their_account_is_asked_to_link(telegram, platforms, deliver):
    telegram("why is my withdrawal still pending")
    deliver()
    texts = platforms.texts("telegram")
    assert any(
        "I cannot discuss your account here until you link" in text
        and "https://support.beacon.test/account/linked-channels/" in text
        for text in texts
    )
    assert not any("/accounts/login/" in text for text in texts)


def test_a_seed_phrase_is_masked_and_the_user_warned(telegram, platforms, deliver):
    phrase = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    telegram(f"my wallet words are {phrase}")
    stored = ChatMessage.objects.get(sender="customer")
    assert "abandon ability" not in stored.body and stored.masked
    deliver()
    assert any("Beacon never asks for them" in text for text in platforms.texts("telegram"))
    assert not any("abandon ability" in text for text in platforms.texts("telegram"))


def test_chinese_speakers_get_chinese(telegram, platforms, deliver):
    telegram("你好", language="zh-hans")
    assert Conversation.objects.get().language == "zh-hans"
    deliver()
    assert platforms.texts("telegram")[0] != "" and not platforms.texts("telegram")[0].startswith(
        "Hi, I'm"
    )


def test_a_flood_from_one_user_is_rate_limited(telegram, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "outside_inbound": "3/m/key"}
    for number in range(5):
        assert telegram(f"message {number}").status_code == 200
    assert ChatMessage.objects.filter(sender="customer").count() == 3
    # another user is not held back by the first
    telegram("hello", user_id=700100999)
    assert ExternalContact.objects.count() == 2


def test_the_link_between_chat_and_platform_is_recorded(telegram):
    telegram("hello")
    link = ExternalConversation.objects.get()
    assert link.contact.platform == "telegram" and link.contact.external_id == "700100200"
    assert link.conversation == Conversation.objects.get()
