"""An urgent security message: the freeze is offered at once and the chat jumps the queue."""

from __future__ import annotations

import pytest

from livechat.models import Conversation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "my account was hacked"),
        ("en", "I didn't make this withdrawal of 2 BTC"),
        ("en", "someone logged in from Brazil, it wasn't me"),
        ("zh-hans", "我的账号被盗了"),
        ("zh-hans", "有一笔提币不是我操作的"),
        ("zh-hans", "收到陌生登录提醒"),
        ("zh-hans", "资金被转走了 怎么办"),
    ],
)
def test_security_intent_offers_the_freeze_and_goes_first(chat, say, language, text):
    conversation = chat(language, tags=["vip"])
    replies = say(conversation, text)
    assert [(r.sender, r.data["kind"]) for r in replies] == [
        ("bot", "offer_freeze"),
        ("system", "handoff"),
    ]
    assert conversation.status == "queued"
    assert (conversation.skill, conversation.priority) == ("security", 100)
    assert conversation.tags == ["security", "vip"]


def test_the_security_chat_is_ahead_of_earlier_ones(chat, say, user_factory):
    earlier = Conversation.objects.create(customer=user_factory(), language="en")
    say(earlier, "human please")
    urgent = chat("en")
    say(urgent, "my account is compromised")
    queue = Conversation.objects.filter(status="queued").order_by("-priority", "queued_at")
    assert list(queue) == [urgent, earlier]


def test_an_anonymous_visitor_is_sent_to_sign_in_and_still_queued(db, say):
    conversation = Conversation.objects.create(visitor_key="v" * 64, language="en")
    replies = say(conversation, "my account got hacked")
    assert replies[0].data == {"kind": "sign_in", "url": "/accounts/login/"}
    conversation.refresh_from_db()
    assert (conversation.status, conversation.skill, conversation.priority) == (
        "queued",
        "security",
        100,
    )
