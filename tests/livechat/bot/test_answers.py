"""The bot answers from the real help centre, with links that open the article."""

from __future__ import annotations

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "question", "slug"),
    [
        ("en", "how do i deposit usdt", "kb-030"),
        ("en", "my withdrawal has been processing for hours", "kb-037"),
        ("zh-hans", "市价单和限价单有什么区别", "kb-044"),
        ("zh-hans", "充币的时候选错链了 能找回吗", "kb-032"),
    ],
)
def test_the_bot_answers_with_links_to_imported_articles(
    kb, chat, say, client, language, question, slug
):
    conversation = chat(language)
    replies = say(conversation, question)
    answers, feedback = replies
    assert answers.sender == "bot" and answers.data["kind"] == "answers"
    articles = answers.data["articles"]
    assert 1 <= len(articles) <= 3
    assert any(f"/help/articles/{slug}/" in article["url"] for article in articles)
    for article in articles:
        assert article["title"] and article["snippet"] and "<mark>" not in article["snippet"]
        page = client.get(article["url"])
        assert page.status_code == 200
        assert article["title"] in page.content.decode()
    with translation.override(language):
        assert feedback.body == translation.gettext("Did this help?")
    assert feedback.data == {"kind": "feedback"}
    assert conversation.status == "bot"


def test_a_question_the_help_centre_cannot_answer_is_offered_a_human(kb, chat, say):
    conversation = chat("en")
    for question in ("can you tell me a joke", "which coin should i buy right now to get rich"):
        replies = say(conversation, question)
        assert [reply.data["kind"] for reply in replies] == ["offer_human"]
        assert "not sure" in replies[0].body
    conversation.refresh_from_db()
    assert conversation.status == "bot"  # offered, not forced


def test_no_after_an_answer_hands_off_with_the_questions_skill(kb, chat, say):
    conversation = chat("en")
    say(conversation, "my kyc got rejected why")
    replies = say(conversation, "No")
    assert replies[-1].sender == "system" and replies[-1].data["kind"] == "handoff"
    assert (conversation.status, conversation.skill) == ("queued", "kyc")


def test_yes_after_an_answer_keeps_the_bot(kb, chat, say):
    conversation = chat("zh-hans")
    say(conversation, "怎么设置止损")
    replies = say(conversation, "是的")
    assert [reply.sender for reply in replies] == ["bot"]
    assert conversation.status == "bot"


def test_no_out_of_the_blue_is_a_question_not_a_hand_off(kb, chat, say):
    conversation = chat("en")
    replies = say(conversation, "no")
    assert conversation.status == "bot"
    assert replies[-1].data["kind"] in {"offer_human", "feedback"}


def test_the_bot_says_nothing_once_the_chat_is_queued(kb, chat, say):
    conversation = chat("en", status="queued")
    assert say(conversation, "how do i deposit usdt") == []


@pytest.mark.parametrize(
    ("language", "question", "slug"),
    [
        # questions of bench/fresh_queries.yaml typed in the other language than the chat's
        # (seventh round: "提币没到账" in an English chat scores 0.42 without semantic
        # matching, under English's bar of 0.43, and is offered a person)
        ("zh-hans", "withdrawal not received", "kb-038"),
        ("en", "忘记资金密码", "kb-014"),
    ],
)
def test_the_bot_answers_fresh_questions_in_the_chats_language(
    kb, chat, say, language, question, slug
):
    replies = say(chat(language), question)
    assert replies[0].data["kind"] == "answers"
    urls = [article["url"] for article in replies[0].data["articles"]]
    assert f"/help/articles/{slug}/?lang={language}" in urls


@pytest.mark.parametrize(
    ("language", "question"), [("en", "how to mint an NFT"), ("zh-hans", "怎么铸造NFT")]
)
def test_the_bot_offers_a_person_for_what_no_article_answers(kb, chat, say, language, question):
    replies = say(chat(language), question)
    assert [reply.data["kind"] for reply in replies] == ["offer_human"]
