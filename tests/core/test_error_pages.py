"""Every error page is Beacon's, in both languages, with a way on (never Django's own)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db

WAYS_ON = ('href="/"', 'href="/contact/"')


def _page(response) -> str:
    text = response.content.decode()
    assert "<!doctype html>" in text.lower() and all(way in text for way in WAYS_ON)
    return text


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Page not found"), ("zh-hans", "页面不存在")]
)
def test_a_missing_page(client, language, title):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert title in _page(response)


@pytest.mark.parametrize(("language", "title"), [("en", "Not allowed"), ("zh-hans", "无权访问")])
def test_a_page_the_account_may_not_open(client, user_factory, language, title):
    client.force_login(user_factory(language=language))
    response = client.get("/console/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    assert title in _page(response)


def test_a_form_without_its_csrf_cookie(user_factory):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/requests/new/", {"subject": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    assert "请重试" in _page(response)


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Something went wrong"), ("zh-hans", "出错了")]
)
def test_the_server_error_page_renders_without_a_request(language, title):
    with translation.override(language):
        text = render_to_string("500.html")
    assert title in text and 'href="/contact/"' in text
