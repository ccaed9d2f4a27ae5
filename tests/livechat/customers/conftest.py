"""Chats owned by a signed-in customer or by an anonymous browser, and their clients."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client

from livechat.models import AgentPresence, Conversation
from livechat.selectors import visitor_key_for
from livechat.services.messages import message_post

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def customer_client(customer) -> Client:
    client = Client()
    client.force_login(customer)
    return client


@pytest.fixture
def customer_chat(customer) -> Conversation:
    chat = Conversation.objects.create(customer=customer, language="en")
    message_post(conversation=chat, sender="customer", body="My USDT withdrawal is stuck")
    message_post(
        conversation=chat,
        sender="bot",
        body="These articles may help:",
        data={"articles": [{"title": "Withdrawal delays", "url": "/articles/withdrawal-delays/"}]},
    )
    return chat


@pytest.fixture
def visitor_client() -> Client:
    """An anonymous browser with a session (what POST /chat/start gives it)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.create()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    client.session_key = store.session_key
    return client


@pytest.fixture
def visitor_chat(visitor_client) -> Conversation:
    chat = Conversation.objects.create(
        visitor_key=visitor_key_for(visitor_client.session_key), language="zh-hans"
    )
    message_post(conversation=chat, sender="customer", body="我的充值没有到账")
    return chat


@pytest.fixture
def online_agent(user_factory):
    agent = user_factory(email="omar@example.test", first_name="Omar", is_staff=True)
    AgentPresence.objects.create(
        agent=agent, staff_id="BX-1042", status="online", languages=["en"], skills=["general"]
    )
    return agent
