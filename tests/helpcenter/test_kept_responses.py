"""A kept help page is answered before the middleware stack to a visitor without cookies,
and only to such a visitor (issue 19: anonymous help pages at the proxy's rate)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from helpcenter import caching, services
from helpcenter.models import Article

pytestmark = pytest.mark.django_db

ARTICLE = "/help/articles/fees/"


@pytest.fixture(autouse=True)
def _nothing_kept():
    caching.forget_all()
    yield
    caching.forget_all()


@pytest.fixture
def fees(article_factory):
    article_factory(slug="fees", lang="zh-hans", title="手续费", body_markdown="挂单和吃单。")
    return article_factory(slug="fees", title="Trading fees", body_markdown="Maker and taker.")


def _answered_early(response) -> bool:
    # The stack's AuthenticationMiddleware puts `user` on every request it sees.
    return not hasattr(response.wsgi_request, "user")


def test_a_second_visitor_gets_the_same_response_without_the_stack(fees):
    first = Client().get(ARTICLE)
    second = Client().get(ARTICLE)
    assert not _answered_early(first) and _answered_early(second)
    assert second.status_code == 200 and second.content == first.content
    for header in ("Content-Security-Policy", "X-Frame-Options", "Vary", "ETag", "Cache-Control"):
        assert second[header] == first[header], header
    assert second["X-Request-ID"] != first["X-Request-ID"]
    assert not second.cookies


def test_a_signed_in_customer_never_gets_the_anonymous_response(fees, customer):
    Client().get(ARTICLE)
    Client().get(ARTICLE)
    signed_in = Client()
    signed_in.force_login(customer)
    response = signed_in.get(ARTICLE)
    assert not _answered_early(response)
    assert response["Cache-Control"] == caching.PRIVATE
    assert 'value="lazy"' not in response.content.decode()


@pytest.mark.parametrize("cookie", ["messages", settings.SESSION_COOKIE_NAME, "other"])
def test_any_other_cookie_goes_through_the_stack(fees, cookie):
    Client().get(ARTICLE)
    visitor = Client()
    visitor.cookies[cookie] = "x"
    assert not _answered_early(visitor.get(ARTICLE))


def test_an_authorization_header_goes_through_the_stack(fees):
    Client().get(ARTICLE)
    assert not _answered_early(Client().get(ARTICLE, HTTP_AUTHORIZATION="Bearer x"))


def test_language_and_time_zone_are_kept_apart(fees):
    for _ in range(2):
        zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(ARTICLE).content.decode()
        en = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        en.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        en_page = en.get(ARTICLE).content.decode()
        assert "手续费" in zh and "Trading fees" in en_page and "手续费</h1>" not in en_page


def test_harmless_cookies_still_get_the_kept_response(fees):
    Client().get(ARTICLE)
    visitor = Client()
    visitor.cookies[settings.CSRF_COOKIE_NAME] = "t" * 32
    response = visitor.get(ARTICLE)
    assert _answered_early(response) and not response.cookies


def test_views_are_counted_and_a_head_is_not(fees):
    Client().get(ARTICLE)
    Client().get(ARTICLE)
    Client().head(ARTICLE)
    services.article_views_flush()
    assert Article.objects.get(id=fees.id).view_count == 2


def test_conditional_get_and_head_before_the_stack(fees):
    first = Client().get(ARTICLE)
    again = Client().get(ARTICLE, HTTP_IF_NONE_MATCH=first["ETag"])
    head = Client().head(ARTICLE)
    assert _answered_early(again) and again.status_code == 304 and again.content == b""
    assert _answered_early(head) and head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == str(len(first.content))


def test_an_edit_shows_at_once(fees, django_capture_on_commit_callbacks):
    Client().get(ARTICLE)
    Client().get(ARTICLE)
    fees.title = "Fees and limits"
    with django_capture_on_commit_callbacks(execute=True):
        services.article_save(article=fees)
    assert b"Fees and limits" in Client().get(ARTICLE).content


def test_a_refused_or_private_answer_is_never_kept(fees):
    for _ in range(2):
        assert Client().post(ARTICLE).status_code == 405
        missing = Client().get("/help/articles/no-such-article/")
        assert missing.status_code == 404 and not _answered_early(missing)
        login = Client().get("/accounts/login/")
        assert not _answered_early(login)


def test_a_huge_accept_language_or_query_takes_the_whole_stack(fees):
    huge = "en;q=0.9," * 200
    for _ in range(2):
        response = Client(HTTP_ACCEPT_LANGUAGE=huge).get(ARTICLE)
        assert response.status_code == 200 and not _answered_early(response)
        search = Client().get("/help/search/", {"q": "fees", "x": "y" * 2000})
        assert search.status_code == 200 and not _answered_early(search)
