"""Moderators get a bell when a post waits for review: held, or reported the first time."""

from __future__ import annotations

from community import services
from community.notices import REVIEW_NEEDED
from notifications.models import Notification
from tests.community.conftest import LOOKALIKE_HOST


def _bells() -> list[tuple[int, str]]:
    return list(
        Notification.objects.filter(kind=REVIEW_NEEDED)
        .order_by("id")
        .values_list("recipient_id", "channel")
    )


def test_a_held_post_rings_the_moderators_bell_only(asker, helper, agent, moderator, question):
    # when
    services.post_reply(author=helper, topic=question, body=f"see https://{LOOKALIKE_HOST}/")
    services.post_reply(author=helper, topic=question, body="a plain reply")

    # then
    assert _bells() == [(moderator.id, "bell")]


def test_only_the_first_open_report_rings(client, asker, helper, person, moderator, question):
    # given
    post = services.post_reply(author=helper, topic=question, body="buy my coin").post

    # when
    services.post_report(reporter=asker, post=post, reason="spam")
    services.post_report(reporter=person(), post=post, reason="spam")

    # then
    assert _bells() == [(moderator.id, "bell")]
    client.force_login(moderator)
    page = client.get("/account/notifications/")
    assert page.status_code == 200
    assert "Community post to review: Why was my withdrawal fee so high?" in page.content.decode()


def test_the_bell_speaks_chinese_to_a_chinese_moderator(
    client, settings, helper, moderator, question
):
    # given
    services.post_reply(author=helper, topic=question, body=f"see https://{LOOKALIKE_HOST}/")

    # when
    client.force_login(moderator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get("/account/notifications/").content.decode()

    # then
    assert "社区帖子待审核：Why was my withdrawal fee so high?" in page
