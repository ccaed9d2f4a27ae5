"""The demo's chat agents serve Chinese, English and both, so a Chinese customer who asks
for a person reaches one (issue 16: every demo agent used to serve English only)."""

from __future__ import annotations

from io import StringIO

import pytest

from accounts import demo as accounts_demo
from accounts.models import User
from livechat import demo as livechat_demo
from livechat.models import AgentPresence, Conversation
from livechat.services.presence import presence_connect
from livechat.services.queue import conversation_enqueue
from livechat.services.routing import agents_available

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_people(tmp_path, monkeypatch):
    monkeypatch.setattr("accounts.demo.CREDENTIALS_FILE", tmp_path / "demo.json")
    monkeypatch.setattr("accounts.demo.VAR_DIR", tmp_path)
    accounts_demo.seed(StringIO())
    livechat_demo.seed(StringIO())
    livechat_demo.seed(StringIO())  # again: the same profiles, nothing doubled


def serves(language: str) -> set[str]:
    return {
        p.agent.email
        for p in AgentPresence.objects.select_related("agent")
        if language in p.languages
    }


def test_demo_agents_serve_chinese_english_and_both(demo_people):
    chinese, english = serves("zh-hans"), serves("en")

    assert chinese - english, "an agent who serves Chinese only"
    assert english - chinese, "an agent who serves English only"
    assert chinese & english, "an agent who serves both"


def test_a_chinese_chat_that_asks_for_a_person_reaches_a_chinese_serving_demo_agent(
    demo_people, customer
):
    # given: the Chinese-only demo agent has the console open
    mei = User.objects.get(email="agent.zh@beacon.test")
    presence_connect(agent=mei)
    chat = Conversation.objects.create(customer=customer, language="zh-hans")
    # when: the customer asks for a person (the bot queues the chat)
    assert agents_available("zh-hans")
    conversation_enqueue(conversation=chat, reason="asked_for_agent")
    # then: a person who serves Chinese has it
    chat.refresh_from_db()
    assert chat.status == Conversation.Status.ACTIVE
    assert "zh-hans" in chat.agent.chat_presence.languages
