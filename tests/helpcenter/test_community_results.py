"""Help-centre search shows the community's accepted and staff answers after the
articles, marked as community content (helpcenter.search.extra; community registers)."""

from __future__ import annotations

import pytest

from community import services as community_services
from community.models import ForumCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(user_factory):
    asker = user_factory(email="asker@example.test")
    helper = user_factory(email="helper@example.test")
    category = ForumCategory.objects.get(slug="getting-started")
    topic = community_services.topic_create(
        author=asker,
        category=category,
        title="Pelican wallet memo question",
        body="Where do I find the pelican memo?",
        language="en",
    ).post.topic
    answer = community_services.post_reply(
        author=helper, topic=topic, body="The pelican memo is under Deposit, below the address."
    ).post
    return asker, topic, answer


def test_an_accepted_answer_is_listed_after_the_articles_marked_as_community(answered, client):
    asker, topic, answer = answered
    community_services.topic_accept(actor=asker, topic=topic, post=answer)
    page = client.get("/help/search/", {"q": "pelican memo"}).content.decode()
    assert "From the community" in page and "Accepted community answer" in page
    assert f"/community/t/{topic.id}/" in page


def test_an_answer_nobody_accepted_is_not_listed(answered, client):
    page = client.get("/help/search/", {"q": "pelican wallet"}).content.decode()
    assert "From the community" not in page
    assert "Pelican wallet memo question" not in page
