"""Anonymous help pages can be cached by a CDN, a proxy, the browser and the app: no
cookie, public Cache-Control, ETag and Last-Modified with 304s, HEAD, and article views
counted in Redis instead of written on the page (issue 19)."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.security.devices import DEVICE_COOKIE
from helpcenter import caching, counters, services
from helpcenter.models import Article
from helpcenter.tasks import article_views_flush

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=60, stale-while-revalidate=300"


@pytest.fixture(autouse=True)
def _no_pages_kept():
    caching.forget_all()
    yield
    caching.forget_all()


@pytest.fixture
def fees(article_factory, announcement_factory):
    announcement_factory()
    return article_factory(
        slug="fees", title="Trading fees", body_markdown="Maker and taker fees by VIP level."
    )


@pytest.fixture
def pages(fees) -> list[str]:
    return [
        "/",
        f"/help/categories/{fees.category.slug}/",
        "/help/articles/fees/",
        "/help/search/?q=trading+fees",
        "/help/search/?q=how+to+mint+an+nft",  # the no-match page
        "/contact/",
        "/announcements/",
        "/guide/",
        "/glossary/",
    ]


def test_anonymous_pages_are_public_with_validators_and_set_no_cookie(client, pages):
    for path in pages:
        # when
        response = client.get(path)
        # then
        assert response.status_code == 200, path
        assert response["Cache-Control"] == PUBLIC, path
        assert response["ETag"].startswith('"') and response["Last-Modified"], path
        assert not response.cookies, (path, list(response.cookies))
        assert "Set-Cookie" not in response.headers
    assert not Session.objects.exists()


def test_a_conditional_get_answers_304_without_a_body(client, pages):
    for path in pages:
        first = client.get(path)
        by_etag = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        by_date = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert by_etag.status_code == 304 and by_etag.content == b"", path
        assert by_etag["ETag"] == first["ETag"] and by_etag["Cache-Control"] == PUBLIC
        assert by_date.status_code == 304, path
        assert client.get(path, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_head_answers_200_with_no_body(client, pages):
    for path in pages:
        full = client.get(path)
        response = client.head(path)
        assert response.status_code == 200, path
        assert response.content == b"" and not response.cookies
        assert response["Content-Length"] == str(len(full.content))
        assert response["ETag"] == full["ETag"]


def test_signed_in_pages_are_private_and_their_own(client, customer, pages):
    # given: the anonymous version is kept
    client.get("/")
    client.force_login(customer)
    for path in pages:
        # when
        response = client.get(path)
        # then
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-cache", path
        assert "public" not in response["Cache-Control"]
        assert 'value="lazy"' not in response.content.decode()
    assert customer.display_name in client.get("/").content.decode()


def test_a_page_kept_in_memory_costs_no_query(client, fees, django_assert_num_queries):
    client.get("/help/articles/fees/")
    with django_assert_num_queries(0):
        response = client.get("/help/articles/fees/")
    assert response.status_code == 200 and b"Trading fees" in response.content


def test_each_language_is_kept_apart(client, fees, article_factory):
    article_factory(slug="fees", lang="zh-hans", title="手续费", body_markdown="挂单和吃单。")
    zh = client.get("/help/articles/fees/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = client.get("/help/articles/fees/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "手续费" in zh and "Trading fees" in en and "手续费</h1>" not in en


def test_an_edit_shows_at_once(client, fees, django_capture_on_commit_callbacks):
    client.get("/help/articles/fees/")
    fees.title = "Fees and limits"
    with django_capture_on_commit_callbacks(execute=True):
        services.article_save(article=fees)
    assert b"Fees and limits" in client.get("/help/articles/fees/").content


def test_a_waiting_flash_message_is_never_public(client, fees):
    client.cookies["messages"] = "anything"
    response = client.get("/")
    assert "public" not in response["Cache-Control"]


def test_article_views_go_through_redis_and_the_flush_counts_each_once(client, fees):
    # when: two views, the second served from memory; no write on the page
    with CaptureQueriesContext(connection) as queries:
        client.get("/help/articles/fees/")
        client.get("/help/articles/fees/")
        Client().get("/help/articles/fees/")
    # then
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    fees.refresh_from_db()
    assert fees.view_count == 0
    article_views_flush.apply()
    article_views_flush.apply()
    assert Article.objects.get(id=fees.id).view_count == 3


def test_forms_on_a_public_page_get_their_token_lazily(fees):
    # given: a visitor whose browser checks CSRF as a real one does
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/help/articles/fees/").content.decode()
    assert 'name="csrfmiddlewaretoken" value="lazy"' in page and "helpcenter/lazy_csrf.js" in page
    refused = browser.post("/help/articles/fees/feedback", {"helpful": "yes", "lang": "en"})
    assert refused.status_code == 403
    # when: the script asks for a token before posting
    answer = browser.get("/help/csrf-token")
    token = answer.json()["token"]
    voted = browser.post(
        "/help/articles/fees/feedback",
        {"helpful": "yes", "lang": "en", "csrfmiddlewaretoken": token},
    )
    # then
    assert "no-store" in answer["Cache-Control"] and "csrftoken" in answer.cookies
    assert voted.status_code == 302 and fees.feedback.count() == 1


def test_the_device_cookie_is_still_set_where_sign_in_needs_it(fees):
    assert DEVICE_COOKIE not in Client().get("/help/articles/fees/").cookies
    assert DEVICE_COOKIE in Client().get("/accounts/login/").cookies
    assert DEVICE_COOKIE in Client().get("/help/csrf-token").cookies


def test_other_methods_are_refused(client, fees):
    assert client.post("/help/articles/fees/").status_code == 405
    assert client.put("/").status_code == 405


def test_a_head_is_not_counted_as_a_reading(client, fees):
    client.head("/help/articles/fees/")
    client.head("/help/articles/fees/")
    client.get("/help/articles/fees/")
    services.article_views_flush()
    assert Article.objects.get(id=fees.id).view_count == 1


def test_a_process_sends_its_counts_to_redis_within_a_second(client, fees):
    # given: a view, held by this process
    client.get("/help/articles/fees/")
    key = counters.cache.make_key(services.ARTICLE_VIEWS)
    # when: nobody flushes; the process's timer sends its counts (PUSH_INTERVAL)
    for _ in range(100):
        if counters._client().hget(key, str(fees.id)) == b"1":
            break
        time.sleep(0.1)
    # then
    assert counters._client().hget(key, str(fees.id)) == b"1"
