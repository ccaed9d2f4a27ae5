"""No script runs from a post: the payloads the article tests use, through posting and pages."""

from __future__ import annotations

import pytest

from community import services
from tests.helpcenter.test_rendering import HOSTILE, assert_harmless


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_markdown_in_a_post_is_inert(client, helper, question, payload):
    # when
    outcome = services.post_reply(author=helper, topic=question, body=f"Look: {payload}")

    # then: stored and served harmless
    assert_harmless(outcome.post.body_html)
    client.force_login(helper)
    page = client.get(f"/community/t/{question.id}/").content.decode()
    body = page.split(f'id="post-{outcome.post.id}"')[1].split("</article>")[0]
    assert_harmless(body)


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_title_is_escaped(client, asker, fees, official_channels, payload):
    # when
    outcome = services.topic_create(
        author=asker, category=fees, title=payload[:150], body="body", language="en"
    )

    # then
    page = client.get(f"/community/t/{outcome.post.topic_id}/").content.decode()
    main = page.split('<main id="main"')[1].split("</main>")[0]
    assert_harmless(main)
    assert "<script>alert" not in main
