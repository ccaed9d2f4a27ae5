"""The forum's pages read in a fixed number of queries, however many posts they show."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import services


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_topic_and_list_pages_do_not_grow_with_posts(client, person, agent, moderator, question):
    # given
    client.force_login(moderator)
    services.post_reply(author=agent, topic=question, body="Staff answer.")
    paths = (f"/community/t/{question.id}/", "/community/")
    for path in paths:  # the first request fills per-user caches (roles, session)
        client.get(path)
    few = {path: _count(client, path) for path in paths}

    # when
    for number in range(12):
        services.post_reply(author=person(), topic=question, body=f"Reply {number}")
    services.post_reply(author=person(), topic=question, body="I work at BCN-00000")  # held

    # then
    many = {path: _count(client, path) for path in few}
    assert many == few
