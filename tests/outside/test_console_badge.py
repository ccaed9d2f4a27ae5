"""The badge the console shows for a chat from a platform, in both languages."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from livechat.models import Conversation
from outside.models import ExternalContact
from outside.selectors import external_contact_for, external_contacts_for

pytestmark = pytest.mark.django_db

BADGE = Template("{% load outside %}{% external_party_badge party %}")


def test_an_anonymous_platform_chat_is_marked_unproven(telegram):
    telegram("hello")
    conversation = Conversation.objects.get()
    html = BADGE.render(Context({"party": external_contact_for(conversation)}))
    assert "Telegram" in html and "@linwei_trades" in html
    assert "Do not discuss account details" in html
    with translation.override("zh-hans"):
        html = BADGE.render(Context({"party": external_contact_for(conversation)}))
    assert "请勿讨论账户详情" in html


def test_a_linked_chat_names_the_account_by_uid(telegram, customer):
    ExternalContact.objects.create(
        platform="telegram", external_id="700100200", user=customer, linked_at=timezone.now()
    )
    telegram("hello")
    conversation = Conversation.objects.get()
    party = external_contacts_for([conversation.pk])[conversation.pk]
    html = BADGE.render(Context({"party": party}))
    assert f"UID {customer.uid}" in html and "anonymous" not in html


def test_a_web_chat_has_no_badge(customer):
    conversation = Conversation.objects.create(customer=customer)
    assert external_contact_for(conversation) is None
    assert BADGE.render(Context({"party": None})).strip() == ""
