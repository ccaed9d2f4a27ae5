"""Reports, and moderators' hide / approve / lock / move / ban, each with its audit row;
customers cannot moderate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from community import services
from community.models import ForumBan, ModerationAction, Post, PostReport
from core.exceptions import ApplicationError


@pytest.fixture
def answer(helper, question):
    return services.post_reply(author=helper, topic=question, body="Try this trick.").post


def _actions() -> list[tuple[str, int]]:
    return list(ModerationAction.objects.order_by("id").values_list("action", "actor_id"))


def test_report_once_per_person(client, asker, answer):
    # given
    client.force_login(asker)

    # when
    first = client.post(f"/community/p/{answer.id}/report/", {"reason": "scam", "note": "fake"})
    second = client.post(f"/community/p/{answer.id}/report/", {"reason": "spam"})

    # then
    assert first.status_code == 302
    assert second.status_code == 400
    assert "You have already reported this post." in second.content.decode()
    assert PostReport.objects.filter(post=answer).count() == 1
    assert client.get(f"/community/p/{answer.id}/report/").status_code == 200


def test_report_needs_a_known_reason(client, asker, answer):
    client.force_login(asker)
    response = client.post(f"/community/p/{answer.id}/report/", {"reason": "<script>"})
    assert response.status_code == 400 and not PostReport.objects.exists()


def test_reported_post_is_in_the_queue_and_hiding_resolves_it(client, asker, moderator, answer):
    # given
    services.post_report(reporter=asker, post=answer, reason="scam")
    client.force_login(moderator)
    assert 'data-testid="reported-post"' in client.get("/community/moderation/").content.decode()

    # when
    response = client.post(
        f"/community/p/{answer.id}/moderate/",
        {"action": "hide", "reason": "phishing", "next": "queue"},
    )

    # then
    assert response.status_code == 302 and response["Location"] == "/community/moderation/"
    answer.refresh_from_db()
    assert answer.status == Post.Status.HIDDEN
    assert not PostReport.objects.filter(resolved_at__isnull=True).exists()
    row = ModerationAction.objects.get()
    assert (row.action, row.actor, row.post, row.reason) == ("hide", moderator, answer, "phishing")
    assert row.detail == {"from": "published", "to": "hidden"}
    client.logout()
    assert "Try this trick." not in client.get(f"/community/t/{answer.topic_id}/").content.decode()


def test_unhide_and_dismiss_write_their_rows(moderator, asker, answer):
    services.post_moderate(actor=moderator, post=answer, action="hide")
    services.post_moderate(actor=moderator, post=answer, action="unhide")
    services.post_report(reporter=asker, post=answer, reason="other")
    services.post_moderate(actor=moderator, post=answer, action="dismiss")
    assert _actions() == [(a, moderator.id) for a in ("hide", "unhide", "dismiss")]
    with pytest.raises(ApplicationError):
        services.post_moderate(actor=moderator, post=answer, action="approve")  # not held


def test_hiding_the_opening_post_hides_the_topic_and_its_replies(
    client, moderator, helper, question
):
    # given
    reply = services.post_reply(author=helper, topic=question, body="A reply.").post

    # when
    services.post_moderate(actor=moderator, post=question.posts.get(is_opening=True), action="hide")

    # then
    assert client.get(f"/community/t/{question.id}/").status_code == 404
    assert question.title not in client.get("/community/").content.decode()
    client.force_login(helper)
    assert client.get(f"/community/p/{reply.id}/report/").status_code == 404
    assert client.post(f"/community/p/{reply.id}/vote/").status_code == 404


def test_lock_stops_replies_and_unlock_allows_them(client, moderator, helper, question):
    # when
    client.force_login(moderator)
    client.post(f"/community/t/{question.id}/lock/", {"locked": "1", "reason": "solved"})

    # then
    question.refresh_from_db()
    assert question.locked
    with pytest.raises(ApplicationError):
        services.post_reply(author=helper, topic=question, body="late")
    client.force_login(helper)
    refused = client.post(f"/community/t/{question.id}/reply/", {"body": "late"})
    assert refused.status_code == 400 and "locked" in refused.content.decode()

    # when
    services.topic_lock(actor=moderator, topic=question, locked=False)

    # then
    assert not services.post_reply(author=helper, topic=question, body="now").held
    assert _actions() == [("lock", moderator.id), ("unlock", moderator.id)]


def test_move_topic_to_another_category(client, moderator, question, security):
    # when
    client.force_login(moderator)
    assert client.get(f"/community/t/{question.id}/move/").status_code == 200
    response = client.post(
        f"/community/t/{question.id}/move/", {"category": "security", "reason": "wrong place"}
    )

    # then
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.category == security
    row = ModerationAction.objects.get()
    assert (row.action, row.detail) == ("move", {"from": "fees", "to": "security"})
    bad = client.post(f"/community/t/{question.id}/move/", {"category": "nowhere"})
    assert bad.status_code == 400


def test_ban_prevents_posting_until_lifted(client, moderator, helper, question):
    # when
    client.force_login(moderator)
    response = client.post(
        f"/community/u/{helper.uid}/ban/", {"reason": "Posted phishing links", "days": "3"}
    )

    # then
    assert response.status_code == 302
    ban = ForumBan.objects.get(user=helper)
    assert ban.ends_at > timezone.now() + dt.timedelta(days=2)
    client.force_login(helper)
    refused = client.post(f"/community/t/{question.id}/reply/", {"body": "hi"})
    assert refused.status_code == 403
    assert "Posted phishing links" in refused.content.decode()
    with pytest.raises(ApplicationError):
        services.topic_create(
            author=helper, category=question.category, title="t", body="b", language="en"
        )

    # when
    services.user_unban(actor=moderator, user=helper, reason="appeal accepted")

    # then
    assert not services.post_reply(author=helper, topic=question, body="back").held
    assert [a for a, _ in _actions()] == ["ban", "unban"]


def test_a_ban_past_its_end_no_longer_applies(moderator, helper, question):
    services.user_ban(
        actor=moderator,
        user=helper,
        reason="cool down",
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    ForumBan.objects.update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    assert services.post_reply(author=helper, topic=question, body="ok").post.pk


def test_ban_needs_a_reason_and_a_future_end(client, moderator, helper):
    client.force_login(moderator)
    assert client.post(f"/community/u/{helper.uid}/ban/", {"reason": ""}).status_code == 400
    assert (
        client.post(f"/community/u/{helper.uid}/ban/", {"reason": "x", "days": "0"}).status_code
        == 400
    )
    assert client.get("/community/u/12345/ban/").status_code == 404
    assert not ForumBan.objects.exists() and not ModerationAction.objects.exists()


def test_customers_cannot_moderate(client, asker, helper, question, answer, security):
    # given
    client.force_login(asker)
    pages = [
        ("get", "/community/moderation/", {}),
        ("post", f"/community/p/{answer.id}/moderate/", {"action": "hide"}),
        ("post", f"/community/t/{question.id}/lock/", {"locked": "1"}),
        ("get", f"/community/t/{question.id}/move/", {}),
        ("post", f"/community/t/{question.id}/move/", {"category": "security"}),
        ("get", f"/community/u/{helper.uid}/ban/", {}),
        ("post", f"/community/u/{helper.uid}/ban/", {"reason": "x"}),
        ("post", f"/community/u/{helper.uid}/unban/", {}),
    ]

    # when
    statuses = [getattr(client, method)(path, data).status_code for method, path, data in pages]

    # then
    assert statuses == [403] * len(pages)
    assert not ModerationAction.objects.exists() and not ForumBan.objects.exists()
    answer.refresh_from_db()
    question.refresh_from_db()
    assert answer.status == Post.Status.PUBLISHED and not question.locked
    for call in (
        lambda: services.post_moderate(actor=asker, post=answer, action="hide"),
        lambda: services.topic_lock(actor=asker, topic=question, locked=True),
        lambda: services.topic_move(actor=asker, topic=question, category=security),
        lambda: services.user_ban(actor=asker, user=helper, reason="x"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    client.logout()
    assert client.get("/community/moderation/").status_code == 302  # to sign-in


def test_the_moderate_permission_makes_a_moderator(person, answer):
    from django.contrib.auth.models import Permission

    volunteer = person(first_name="Vee")
    volunteer.user_permissions.add(Permission.objects.get(codename="moderate_forum"))
    volunteer = type(volunteer).objects.get(pk=volunteer.pk)  # no cached permissions
    services.post_moderate(actor=volunteer, post=answer, action="hide")
    assert ModerationAction.objects.get().actor == volunteer


def test_new_accounts_are_rate_limited_and_old_ones_are_not(client, newcomer, helper, question):
    # given: community_post_new_account allows 3 an hour
    client.force_login(newcomer)

    # when
    statuses = [
        client.post(f"/community/t/{question.id}/reply/", {"body": f"me too {n}"}).status_code
        for n in range(4)
    ]

    # then
    assert statuses == [302, 302, 302, 429]
    assert Post.objects.filter(author=newcomer).count() == 3

    # when
    client.force_login(helper)
    older = [
        client.post(f"/community/t/{question.id}/reply/", {"body": f"tip {n}"}).status_code
        for n in range(4)
    ]

    # then
    assert older == [302] * 4
