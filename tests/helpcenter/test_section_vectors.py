"""Semantic matching sees an article's later sections, not only its opening (issue 18).

e5 reads about 600 characters: a question about a detail under a heading further down
("where do I find the transaction hash") used to have only the article's opening to match.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpcenter import services
from helpcenter.importing import ArticleSource
from helpcenter.models import Article
from helpcenter.search import engine, semantic

pytestmark = pytest.mark.django_db

QUERY = "my hardware wallet was stolen, can I restore my coins"
OPENING = (
    "Maker and taker fees depend on your VIP level and your 30-day trading volume. "
    "Fees are charged in the asset you receive unless you pay them with the platform token. "
) * 5  # well past what e5 reads of an article's opening
BODY = f"""{OPENING}

## VIP levels

Higher levels pay lower maker fees.

## If your hardware wallet is lost

Restore the funds on a new device from the recovery phrase you wrote down.
"""


@pytest.fixture
def semantic_on(settings):
    settings.HELPCENTER_SEMANTIC_SEARCH = True
    assert semantic.enabled()


def _import(slug: str, title: str, body: str) -> Article:
    services.article_import(
        source=ArticleSource(slug=slug, lang="en", title=title, category="wallets", body=body)
    )
    return Article.objects.get(slug=slug, lang="en")


def _query_vector():
    return semantic.embed_query_soon(QUERY).result()


def test_a_detail_under_a_later_heading_is_matched_by_its_section(semantic_on):
    # given: an article whose opening is all about fees, with the answer in its last section
    guide = _import("fees-and-wallets", "Fees and wallets", BODY)
    services.article_embed(article_ids=[guide.id])
    guide.refresh_from_db()
    # then: its opening and its three parts (before the first heading, two sections) are stored
    stored = np.frombuffer(bytes(guide.embedding), dtype=np.float32).reshape(-1, 384)
    assert len(stored) == 1 + 3
    assert semantic.section_texts(guide)[2].startswith("Fees and wallets: If your hardware wallet")
    # and the question matches the section better than the opening
    vector = _query_vector()
    _, opening = semantic.similarities(vector, top=1)
    section = semantic.best_section(vector, [guide.id])
    assert section > opening(guide.id) + 0.02
    # and the engine gives the candidate that section's similarity
    found, _ = engine.candidates(QUERY, lang="en")
    signals = next(c.signals for c in found if c.slug == guide.slug)
    assert signals["sec"] == pytest.approx(section, abs=1e-6)


def test_a_vector_stored_before_sections_stands_for_the_whole_article(semantic_on):
    # given: an article embedded before sections were (its opening's vector only)
    guide = _import("fees-and-wallets", "Fees and wallets", BODY)
    services.article_embed(article_ids=[guide.id])
    opening_only = bytes(Article.objects.get(id=guide.id).embedding)[: 384 * 4]
    Article.objects.filter(id=guide.id).update(embedding=opening_only)
    semantic.clear_cache()
    # then: its best section is its opening
    vector = _query_vector()
    _, opening = semantic.similarities(vector, top=1)
    assert semantic.best_section(vector, [guide.id]) == pytest.approx(opening(guide.id))
    # and an article without any vector has none
    assert semantic.best_section(vector, [guide.id + 1000]) == 0.0


def test_an_edit_of_a_later_section_makes_the_article_stale(semantic_on):
    # given
    guide = _import("fees-and-wallets", "Fees and wallets", BODY)
    services.article_embed(article_ids=[guide.id])
    # when: only the last section changes (the opening e5 reads stays the same)
    guide.refresh_from_db()
    guide.body_markdown = BODY.replace("recovery phrase", "seed phrase")
    services.article_save(article=guide)
    # then: it is embedded again
    assert services.article_embed(article_ids=[guide.id]) == 1
