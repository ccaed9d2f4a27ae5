"""Hand-off words reach a person at once, in both languages, with the right skill."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

WORDS = [
    ("zh-hans", "人工"),
    ("zh-hans", "转人工"),
    ("zh-hans", "人工客服"),
    ("zh-hans", "我要找真人"),
    ("zh-hans", "请帮我联系客服"),
    ("en", "human"),
    ("en", "agent please"),
    ("en", "can I talk to a real person"),
    ("en", "I want to talk to someone"),
    ("en", "get me a representative"),
]


@pytest.mark.parametrize(("language", "text"), WORDS)
def test_each_hand_off_word_hands_off_at_once(chat, say, language, text):
    conversation = chat(language)
    replies = say(conversation, text)
    assert [(reply.sender, reply.data["kind"]) for reply in replies] == [("system", "handoff")]
    assert conversation.status == "queued" and conversation.queued_at is not None
    assert conversation.skill == "general"


@pytest.mark.parametrize(
    ("question", "skill"),
    [
        ("my passport photo was rejected in identity verification", "kyc"),
        ("实名认证一直不通过", "kyc"),
        ("my limit order is not filled", "trading"),
        ("合约爆仓了", "trading"),
        ("where is the nearest ATM", "general"),
    ],
)
def test_the_hand_off_routes_by_what_the_customer_asked(chat, say, question, skill):
    conversation = chat("en")
    say(conversation, question)
    say(conversation, "转人工")
    assert (conversation.status, conversation.skill) == ("queued", skill)
