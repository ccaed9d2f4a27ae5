"""Asking and answering: who may post, what is stored, and what bad input gets."""

from __future__ import annotations

import pytest
from django.test import Client

from community import services
from community.models import Post, Topic
from tests.community.conftest import PHRASE

PRIVATE_KEY = "0x" + "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


def test_topic_create_publishes_question_anyone_can_read(client, asker, fees, official_channels):
    # given / when
    outcome = services.topic_create(
        author=asker,
        category=fees,
        title="How long do deposits take?",
        body="My **USDT** deposit on TRC20 is not here yet.",
        language="en",
    )

    # then
    post = outcome.post
    assert post.is_opening and post.status == Post.Status.PUBLISHED and not outcome.held
    assert "<strong>USDT</strong>" in post.body_html
    page = client.get(f"/community/t/{post.topic_id}/")
    assert page.status_code == 200
    assert "How long do deposits take?" in page.content.decode()
    assert "How long do deposits take?" in client.get("/community/c/fees/").content.decode()
    assert "How long do deposits take?" in client.get("/community/").content.decode()


def test_signed_in_customer_asks_and_another_replies_through_the_pages(
    client, asker, helper, fees, official_channels
):
    # given
    client.force_login(asker)

    # when
    asked = client.post(
        "/community/c/fees/new/",
        {"title": "Withdrawal fee on ERC20", "body": "Why 25 USDT?"},
    )

    # then
    topic = Topic.objects.get(title="Withdrawal fee on ERC20")
    assert asked.status_code == 302 and asked["Location"] == f"/community/t/{topic.id}/"
    assert topic.author == asker and topic.language == "en"

    # when
    client.force_login(helper)
    replied = client.post(f"/community/t/{topic.id}/reply/", {"body": "Gas is high on ERC20."})

    # then
    reply = Post.objects.get(topic=topic, is_opening=False)
    assert replied.status_code == 302 and replied["Location"].endswith(f"#post-{reply.id}")
    assert reply.author == helper and reply.status == Post.Status.PUBLISHED
    assert "Gas is high on ERC20." in client.get(f"/community/t/{topic.id}/").content.decode()


def test_signed_out_visitor_reads_but_cannot_post(client, question):
    # when
    new_page = client.get("/community/c/fees/new/")
    posted = client.post(f"/community/t/{question.id}/reply/", {"body": "hello"})

    # then
    assert new_page.status_code == 302 and new_page["Location"].startswith("/accounts/login/")
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")
    assert Post.objects.filter(topic=question).count() == 1
    assert "Sign in to reply" in client.get(f"/community/t/{question.id}/").content.decode()


def test_every_post_form_needs_the_csrf_token(asker, question):
    # given
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(asker)

    # when
    refused = [
        browser.post("/community/c/fees/new/", {"title": "t", "body": "b"}),
        browser.post(f"/community/t/{question.id}/reply/", {"body": "b"}),
        browser.post(f"/community/t/{question.id}/accept/", {"post": ""}),
        browser.post(f"/community/p/{question.posts.get().id}/report/", {"reason": "spam"}),
    ]

    # then
    assert [response.status_code for response in refused] == [403, 403, 403, 403]
    assert Topic.objects.count() == 1 and Post.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "body": "text"},
        {"title": "A title", "body": "   "},
        {"title": "x" * 151, "body": "text"},
        {"title": "A title", "body": "y" * 20_001},
        {},
    ],
)
def test_topic_new_refuses_bad_input_with_form_errors(client, asker, fees, data):
    # given
    client.force_login(asker)

    # when
    response = client.post("/community/c/fees/new/", data)

    # then
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Topic.objects.exists()


def test_bad_addresses_are_404_not_500(client, asker, question):
    client.force_login(asker)
    assert client.get("/community/t/999999999999999999/").status_code == 404
    assert client.get("/community/t/99999999999999999999999/").status_code == 404
    assert client.get("/community/c/no-such-category/").status_code == 404
    assert client.get("/community/c/no-such-category/new/").status_code == 404
    assert client.post("/community/p/424242/vote/").status_code == 404
    assert client.post(f"/community/t/{question.id}/accept/", {"post": "x"}).status_code == 400
    assert client.post(f"/community/t/{question.id}/reply/", {"body": ""}).status_code == 400
    assert client.get(f"/community/t/{question.id}/reply/").status_code == 405


def test_guard_masks_seed_phrase_before_storing_and_warns_the_author(
    client, asker, fees, official_channels
):
    # given
    client.force_login(asker)

    # when
    response = client.post(
        "/community/c/fees/new/",
        {"title": "Is my wallet safe?", "body": f"My seed is {PHRASE} please check"},
        follow=True,
    )

    # then
    post = Post.objects.get()
    assert post.masked == ["seed_phrase"]
    assert PHRASE.split()[0] not in post.body and "(hidden)" in post.body
    assert PHRASE not in post.body_html and PHRASE not in post.search_tokens
    page = response.content.decode()
    assert "We hid what looked like a seed phrase in what you posted." in page
    assert 'data-testid="masked-notice"' in page


def test_guard_masks_private_key_in_replies_and_titles(asker, helper, question):
    # when
    outcome = services.post_reply(author=helper, topic=question, body=f"Import {PRIVATE_KEY}")
    titled = services.topic_create(
        author=asker,
        category=question.category,
        title=f"key {PRIVATE_KEY}",
        body="see title",
        language="en",
    )

    # then
    assert outcome.masked == ["private_key"] and PRIVATE_KEY not in outcome.post.body
    assert titled.masked == ["private_key"] and PRIVATE_KEY not in titled.post.topic.title
