"""Every forum page in zh-hans says everything in Chinese (tests/i18n's two nets: msgids
zh-hans lacks, and English words, 你 or ASCII punctuation in what the page shows)."""

from __future__ import annotations

import pytest
from django.conf import settings

from accounts.models import User
from community import services
from community.models import ForumCategory, Post, Topic
from tests.community.conftest import LOOKALIKE_HOST, PHRASE
from tests.i18n.zh_text import Typed, catalogue_misses, visible_text, zh_problems

ZH = "zh-hans"


@pytest.fixture
def forum(asker, helper, agent, moderator, newcomer, fees, security, official_channels):
    """A Chinese question with a reply, a staff answer (accepted), a masked reply, a held
    one, a report, a lock, a move and a ban: what the pages show in use."""
    fees.description_zh_hans = "手续费、提现限额等问题。"
    fees.save()
    topic = services.topic_create(
        author=asker,
        category=fees,
        title="提现手续费为什么这么高？",
        body="我在 ERC20 网络提现 25 USDT，手续费正常吗？",
        language=ZH,
    ).post.topic
    services.post_reply(author=helper, topic=topic, body="ERC20 网络的矿工费较高。")
    staff = services.post_reply(author=agent, topic=topic, body="您好，手续费随网络拥堵变化。")
    services.post_reply(author=helper, topic=topic, body=f"我的助记词是 {PHRASE}")
    services.post_reply(author=newcomer, topic=topic, body=f"联系 https://{LOOKALIKE_HOST}/kf")
    services.topic_accept(actor=asker, topic=topic, post=staff.post)
    services.post_vote_toggle(user=helper, post=staff.post)
    services.post_report(reporter=asker, post=staff.post, reason="other", note="测试")
    services.topic_lock(actor=moderator, topic=topic, locked=True, reason="已解决")
    services.topic_lock(actor=moderator, topic=topic, locked=False, reason="重新开放")
    services.topic_move(actor=moderator, topic=topic, category=security, reason="分类错误")
    services.user_ban(actor=moderator, user=newcomer, reason="发布仿冒链接")
    return topic


def _typed() -> Typed:
    texts = [*Topic.objects.values_list("title", flat=True)]
    texts += Post.objects.values_list("body", flat=True)
    texts += ForumCategory.objects.values_list("name_en", flat=True)
    texts += User.objects.values_list("first_name", flat=True)
    return Typed(texts)


def _pages(topic: Topic, moderator, newcomer) -> dict[str, list[str]]:
    post = topic.posts.filter(is_opening=False).first()
    everyone = [
        "/community/",
        "/community/c/fees/",
        "/community/c/security/",
        f"/community/t/{topic.id}/",
        "/community/t/424242/",
    ]
    members = [*everyone, "/community/c/fees/new/", f"/community/p/{post.id}/report/"]
    moderators = [
        *members,
        "/community/moderation/",
        f"/community/t/{topic.id}/move/",
        f"/community/u/{newcomer.uid}/ban/",
    ]
    return {"anonymous": everyone, "asker": members, "moderator": moderators}


def test_forum_pages_in_zh_hans_have_no_english_left(client, forum, asker, moderator, newcomer):
    # given
    people = {"anonymous": None, "asker": asker, "moderator": moderator}
    typed = _typed()
    problems: dict[str, set[str]] = {}

    # when
    with catalogue_misses() as misses:
        for who, paths in _pages(forum, moderator, newcomer).items():
            client.logout()
            if people[who] is not None:
                client.force_login(people[who])
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = ZH
            for path in paths:
                response = client.get(path)
                assert response.status_code in (200, 404), (who, path, response.status_code)
                html = response.content.decode()
                assert '<html lang="zh-hans">' in html, path
                found = zh_problems(visible_text(html), typed)
                if found:
                    problems[f"{who} {path}"] = found

    # then
    assert not misses, sorted(misses)
    assert not problems, problems


def test_forms_errors_and_flash_messages_in_zh_hans(client, asker, helper, question):
    # given
    client.force_login(asker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = ZH

    # when
    with catalogue_misses() as misses:
        empty = client.post("/community/c/fees/new/", {"title": "", "body": ""})
        masked = client.post(
            f"/community/t/{question.id}/reply/", {"body": f"助记词 {PHRASE}"}, follow=True
        )
        reported = client.post(f"/community/p/{question.posts.get(is_opening=True).id}/report/", {})

    # then
    assert empty.status_code == 400 and reported.status_code == 400
    assert "我们隐藏了您发布内容中疑似助记词的部分" in masked.content.decode()
    assert not misses, sorted(misses)
    typed = Typed([question.title, asker.first_name, *Post.objects.values_list("body", flat=True)])
    for response in (empty, masked, reported):
        assert not zh_problems(visible_text(response.content.decode()), typed)
