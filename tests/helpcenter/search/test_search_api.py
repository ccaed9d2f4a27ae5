from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
URL = "/api/v1/helpcenter/search"


def test_search_api_returns_ranked_results_with_required_fields(client, article_factory):
    # given
    article_factory(
        slug="dep", title="Deposit not credited", body_markdown="Check the deposit TXID."
    )
    article_factory(slug="fee", title="Trading fees", body_markdown="A deposit is free.")
    # when
    response = client.get(URL, {"q": "deposit not credited", "lang": "en"})
    # then
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["slug"] for r in results] == ["dep", "fee"]
    assert set(results[0]) == {"slug", "title", "url", "snippet", "score", "lang"}
    assert results[0]["url"] == "/help/articles/dep/?lang=en"
    assert results[0]["score"] >= results[1]["score"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {},
        {"q": "& | ! ( ) : * ' \" \\"},
        {"q": "😀😀"},
        {"q": "deposit", "lang": ""},
    ],
)
def test_search_api_answers_odd_input_with_200(client, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert "results" in response.json()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": "x" * 10_240}, "at most"),
        ({"q": "deposit", "lang": "fr"}, "Unknown language"),
        ({"q": "deposit", "limit": "0"}, "Invalid input"),
        ({"q": "a\x00b"}, "characters that are not allowed"),  # core.input_guard
    ],
)
def test_search_api_answers_bad_input_with_clear_400(client, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.json()["message"]


def test_search_api_is_in_the_openapi_schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/helpcenter/search" in response.content
