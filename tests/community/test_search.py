"""community.selectors.search_answers: what help-centre search will list after articles."""

from __future__ import annotations

from community import services
from community.selectors import search_answers
from tests.community.conftest import LOOKALIKE_HOST


def test_search_answers_finds_accepted_and_staff_answers_only(
    asker, helper, agent, moderator, question
):
    # given
    accepted = services.post_reply(
        author=helper, topic=question, body="The withdrawal fee follows ERC20 gas prices."
    ).post
    services.topic_accept(actor=asker, topic=question, post=accepted)
    staff = services.post_reply(
        author=agent, topic=question, body="Official: choose TRC20 for a lower withdrawal fee."
    ).post
    services.post_reply(author=helper, topic=question, body="Withdrawal fee? Same for me.")
    hidden = services.post_reply(
        author=agent, topic=question, body="Withdrawal fee draft answer."
    ).post
    services.post_moderate(actor=moderator, post=hidden, action="hide")

    # when
    found = search_answers("withdrawal fee", "en", 10)

    # then
    assert {answer.post_id for answer in found} == {accepted.id, staff.id}
    by_id = {answer.post_id: answer for answer in found}
    assert by_id[accepted.id].accepted and by_id[accepted.id].staff_id == ""
    assert by_id[staff.id].staff_id == staff.staff_id and not by_id[staff.id].accepted
    assert by_id[staff.id].url == f"/community/t/{question.id}/#post-{staff.id}"
    assert by_id[staff.id].topic_title == question.title


def test_search_answers_in_chinese_prefers_the_asked_language(
    asker, agent, fees, official_channels
):
    # given
    zh = services.topic_create(
        author=asker,
        category=fees,
        title="USDT 充值没有到账",
        body="USDT 充值很久没到",
        language="zh-hans",
    ).post.topic
    zh_answer = services.post_reply(author=agent, topic=zh, body="请核对充值网络和地址。").post
    en = services.topic_create(
        author=asker, category=fees, title="USDT deposit missing", body="USDT", language="en"
    ).post.topic
    services.post_reply(author=agent, topic=en, body="USDT deposits need confirmations.")

    # when
    chinese = search_answers("充值到账", "zh-hans", 5)
    both = search_answers("USDT", "zh-hans", 5)

    # then
    assert [answer.post_id for answer in chinese] == [zh_answer.id]
    assert both[0].language == "zh-hans" and len(both) == 2


def test_search_answers_leaves_out_held_topics_and_bad_queries(
    asker, agent, fees, official_channels
):
    # given: a question held for a look-alike link, answered by staff
    held = services.topic_create(
        author=asker,
        category=fees,
        title="Is this the support site?",
        body=f"https://{LOOKALIKE_HOST}/kf",
        language="en",
    ).post.topic
    services.post_reply(author=agent, topic=held, body="No, that support site is fake.")

    # then
    assert search_answers("support site", "en", 5) == []
    assert search_answers("", "en", 5) == []
    assert search_answers("\x00' | & ! :*", "en", 5) == []
    assert search_answers("support", "en", 10_000) == []
