"""Votes, accepted answers (the topic's author or staff) and staff answers with their ID."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from community import services
from community.models import PostVote, Topic
from core.exceptions import ApplicationError
from livechat.services.presence import presence_for


@pytest.fixture
def answer(helper, question):
    return services.post_reply(
        author=helper, topic=question, body="ERC20 gas was high that hour."
    ).post


def test_vote_counts_once_per_person_and_toggles(client, asker, moderator, answer):
    # when
    services.post_vote_toggle(user=asker, post=answer)
    services.post_vote_toggle(user=moderator, post=answer)
    answer.refresh_from_db()

    # then
    assert answer.score == 2

    # when: the same person again takes it back
    assert services.post_vote_toggle(user=asker, post=answer) is False
    answer.refresh_from_db()

    # then
    assert answer.score == 1
    with pytest.raises(IntegrityError):
        PostVote.objects.create(post=answer, user=moderator)


def test_vote_through_the_page_and_not_for_ones_own_post(client, asker, helper, answer):
    # when
    client.force_login(asker)
    voted = client.post(f"/community/p/{answer.id}/vote/")

    # then
    assert voted.status_code == 302
    answer.refresh_from_db()
    assert answer.score == 1

    # when
    client.force_login(helper)
    client.post(f"/community/p/{answer.id}/vote/")

    # then
    answer.refresh_from_db()
    assert answer.score == 1
    with pytest.raises(ApplicationError):
        services.post_vote_toggle(user=helper, post=answer)


def test_topic_author_accepts_an_answer(client, asker, question, answer):
    # when
    client.force_login(asker)
    response = client.post(f"/community/t/{question.id}/accept/", {"post": answer.id})

    # then
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.accepted_post == answer
    page = client.get(f"/community/t/{question.id}/").content.decode()
    assert 'data-testid="accepted-badge"' in page

    # when: unmarked again
    client.post(f"/community/t/{question.id}/accept/", {"post": ""})

    # then
    question.refresh_from_db()
    assert question.accepted_post is None


def test_another_customer_cannot_accept(client, helper, person, question, answer):
    # given
    stranger = person(first_name="Kai")

    # when
    client.force_login(stranger)
    response = client.post(f"/community/t/{question.id}/accept/", {"post": answer.id})

    # then
    assert response.status_code == 403
    assert Topic.objects.get(pk=question.pk).accepted_post is None
    with pytest.raises(PermissionDenied):
        services.topic_accept(actor=helper, topic=question, post=answer)
    assert "Accept as answer" not in client.get(f"/community/t/{question.id}/").content.decode()


def test_staff_may_accept_and_only_published_replies_count(agent, asker, question, answer):
    # when
    services.topic_accept(actor=agent, topic=question, post=answer)

    # then
    assert Topic.objects.get(pk=question.pk).accepted_post == answer
    with pytest.raises(ApplicationError):
        services.topic_accept(actor=asker, topic=question, post=question.posts.get(is_opening=True))


def test_staff_answer_carries_a_staff_id_that_verify_confirms(client, agent, question):
    # given
    staff_id = presence_for(agent).staff_id

    # when
    outcome = services.post_reply(author=agent, topic=question, body="Official: fees follow gas.")

    # then
    assert outcome.post.staff_id == staff_id and outcome.post.is_staff_answer
    page = client.get(f"/community/t/{question.id}/").content.decode()
    assert f"Staff ID {staff_id}" in page
    assert f"/verify/?value={staff_id}" in page
    verified = client.get("/verify/", {"value": staff_id}).content.decode()
    assert f"Omar, staff ID {staff_id}" in verified


def test_customer_posts_carry_no_staff_id(helper, question):
    outcome = services.post_reply(author=helper, topic=question, body="Not staff.")
    assert outcome.post.staff_id == "" and not outcome.post.is_staff_answer
