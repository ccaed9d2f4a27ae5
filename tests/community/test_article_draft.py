"""Staff turn an accepted or staff answer into a help-centre article draft (through
helpcenter's services), once, with its audit row; customers cannot."""

from __future__ import annotations

import pytest

from community import services
from community.models import ModerationAction
from helpcenter.models import Article
from tests.community.conftest import PHRASE


@pytest.fixture
def accepted(asker, helper, question):
    post = services.post_reply(
        author=helper,
        topic=question,
        body=f"Use **TRC20**: it is cheaper. Never share this: {PHRASE}",
    ).post
    services.topic_accept(actor=asker, topic=question, post=post)
    return post


def test_agent_turns_an_accepted_answer_into_a_draft(client, agent, question, accepted):
    # when
    client.force_login(agent)
    page = client.get(f"/community/t/{question.id}/").content.decode()
    response = client.post(f"/community/p/{accepted.id}/article-draft/")

    # then
    assert "Turn into an article draft" in page
    assert response.status_code == 302
    article = Article.objects.get(slug=services.draft_slug(accepted))
    assert article.status == Article.Status.DRAFT and article.lang == "en"
    assert article.title == question.title and article.category.slug == "community-answers"
    assert "<strong>TRC20</strong>" in article.body_html
    assert PHRASE not in article.body_markdown  # the masked text, never the secret
    assert f"/community/t/{question.id}/#post-{accepted.id}" in article.body_markdown
    row = ModerationAction.objects.get()
    assert (row.action, row.actor, row.post) == ("article_draft", agent, accepted)
    # not published, so not searchable: article_search sees published articles only
    assert not Article.objects.filter(status=Article.Status.PUBLISHED).exists()

    # when: again
    again = client.post(f"/community/p/{accepted.id}/article-draft/", follow=True)

    # then
    assert "This answer is already an article draft." in again.content.decode()
    assert Article.objects.count() == 1 and ModerationAction.objects.count() == 1


def test_customers_cannot_draft_and_plain_replies_cannot_be_drafted(
    client, asker, agent, helper, question, accepted
):
    # when
    client.force_login(asker)
    refused = client.post(f"/community/p/{accepted.id}/article-draft/")
    plain = services.post_reply(author=helper, topic=question, body="me too").post
    client.force_login(agent)
    not_an_answer = client.post(f"/community/p/{plain.id}/article-draft/", follow=True)

    # then
    assert refused.status_code == 403
    assert "Only a published accepted or staff answer can become an article." in (
        not_an_answer.content.decode()
    )
    assert not Article.objects.exists() and not ModerationAction.objects.exists()
