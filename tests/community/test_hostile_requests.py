"""No forum address answers a 500, whoever asks and whatever a form carries."""

from __future__ import annotations

import re

import pytest
from django.urls import get_resolver

from community import services

HOSTILE = {
    "title": "x" * 400,
    "body": "\x00<script>alert(1)</script>",
    "post": "-1",
    "reason": "<b>x</b>" * 100,
    "note": "y" * 5000,
    "action": "delete",
    "locked": "maybe",
    "category": "../../etc",
    "days": "99999999999999999999",
    "next": "https://evil.test/",
}

WITHOUT_NUL = {**HOSTILE, "body": "<script>alert(1)</script>"}


def _routes() -> list[str]:
    resolver = get_resolver()
    community = next(p for p in resolver.url_patterns if str(p.pattern) == "community/")
    return [str(p.pattern) for p in community.url_patterns]


def _fill(route: str, values: dict[str, object]) -> str:
    return "/community/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


@pytest.mark.parametrize("who", ["anonymous", "asker", "helper", "agent", "moderator"])
def test_no_forum_address_answers_500(client, who, asker, helper, agent, moderator, question):
    # given
    reply = services.post_reply(author=helper, topic=question, body="A reply.").post
    values = {"slug": "fees", "topic_id": question.id, "post_id": reply.id, "uid": helper.uid}
    people = {"asker": asker, "helper": helper, "agent": agent, "moderator": moderator}
    if who in people:
        client.force_login(people[who])

    # when
    answers = {}
    for route in _routes():
        path = _fill(route, values)
        # With a NUL the input guard answers 400 first; without, the views see the rest.
        tries = (("get", {}), ("post", {}), ("post", HOSTILE), ("post", WITHOUT_NUL))
        for number, (method, data) in enumerate(tries):
            answers[(method, path, number)] = getattr(client, method)(path, data).status_code

    # then
    assert not [key for key, status in answers.items() if status >= 500], answers
