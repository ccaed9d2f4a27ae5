"""freeze_confirm freezes the conversation's own signed-in customer, and nobody else."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import AccountFreeze
from core.exceptions import ApplicationError
from livechat import bot
from livechat.models import Conversation

pytestmark = pytest.mark.django_db


def test_the_owner_is_frozen_after_a_system_message(chat, customer):
    conversation = chat("en")
    bot.freeze_confirm(conversation=conversation, user=customer)
    customer.refresh_from_db()
    assert not customer.is_active
    freeze = AccountFreeze.objects.get(user=customer)
    assert freeze.source == AccountFreeze.Source.CHAT_BOT and freeze.lifted_at is None
    last = conversation.messages.order_by("-seq").first()
    assert last.sender == "system" and last.data == {"kind": "frozen"}


def test_the_freeze_closes_the_customers_sockets_after_the_message(
    chat, customer, django_capture_on_commit_callbacks
):
    conversation = chat("en")
    with django_capture_on_commit_callbacks() as callbacks:
        bot.freeze_confirm(conversation=conversation, user=customer)
    assert len(callbacks) >= 2  # the message's broadcast first, then account.closed


def test_someone_else_cannot_freeze_the_customer(chat, customer, user_factory):
    conversation = chat("en")
    other = user_factory()
    with pytest.raises(ApplicationError):
        bot.freeze_confirm(conversation=conversation, user=other)
    customer.refresh_from_db()
    other.refresh_from_db()
    assert customer.is_active and other.is_active
    assert not AccountFreeze.objects.exists()
    assert not conversation.messages.exists()


def test_an_anonymous_chat_cannot_freeze_anything(db, customer):
    conversation = Conversation.objects.create(visitor_key="b" * 64)
    for user in (AnonymousUser(), None, customer):
        with pytest.raises(ApplicationError):
            bot.freeze_confirm(conversation=conversation, user=user)
    assert not AccountFreeze.objects.exists()


def test_a_second_confirm_is_refused_and_freezes_once(chat, customer):
    conversation = chat("en")
    bot.freeze_confirm(conversation=conversation, user=customer)
    customer.refresh_from_db()
    with pytest.raises(ApplicationError):
        bot.freeze_confirm(conversation=conversation, user=customer)
    assert AccountFreeze.objects.filter(user=customer).count() == 1
