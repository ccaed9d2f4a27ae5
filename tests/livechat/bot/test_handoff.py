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


def test_a_hand_off_word_tells_the_customers_tabs_the_chat_is_queued(
    chat, say, django_capture_on_commit_callbacks
):
    # given: Mei's chat with the bot, her tabs listening, no agent online
    import asyncio

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from livechat.groups import conversation_group

    conversation = chat("zh-hans")
    layer = get_channel_layer()
    tab = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(conversation_group(conversation.public_id), tab)
    # when: she types 转人工
    with django_capture_on_commit_callbacks(execute=True):
        say(conversation, "转人工")

    async def heard() -> list[dict]:  # one event loop for every receive
        events = []
        while not events or events[-1]["type"] != "conversation.update":
            events.append(await asyncio.wait_for(layer.receive(tab), 5))
        return events

    # then: her tabs hear the chat is queued (the status line stops saying the bot serves
    # her), after the "Connecting you" line
    events = async_to_sync(heard)()
    assert (events[-1]["status"], events[-1]["agent"]) == ("queued", None)
    lines = [e["message"]["data"].get("kind") for e in events if e["type"] == "chat.message"]
    assert lines[-1] == "handoff"


def test_an_agent_who_takes_the_chat_at_once_joins_after_connecting_you(chat, say, user_factory):
    # given: a zh-hans agent online with room
    from accounts.models import Role
    from accounts.services import user_role_grant
    from livechat.services.presence import presence_for

    agent = user_factory(first_name="Lin")
    user_role_grant(user=agent, role=Role.AGENT)
    presence = presence_for(agent)
    presence.status, presence.languages, presence.skills = "online", ["zh-hans"], ["general"]
    presence.save()
    conversation = chat("zh-hans")
    # when: the customer types 转人工
    replies = say(conversation, "转人工")
    # then: "connecting you" first, then the agent's arrival
    assert [(r.sender, r.data.get("kind") or r.data.get("event")) for r in replies] == [
        ("system", "handoff"),
        ("system", "agent_joined"),
    ]
    assert (conversation.status, conversation.agent_id) == ("active", agent.id)
