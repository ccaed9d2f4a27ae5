"""A long question read sentence by sentence: the story around a question must not drown
it (issue 18, eighth round)."""

from __future__ import annotations

import pytest

from helpcenter import services
from helpcenter.importing import ArticleSource
from helpcenter.models import Article
from helpcenter.search import engine, focus, semantic

KYC_BODY = """Identity verification has three levels.

## Level 1

Upload the front and back of your ID card.

## Level 2

Take a selfie in good light, without a hat or glasses, holding your phone at eye level.
"""
FEES_BODY = "Maker and taker fees depend on your VIP level and your 30-day trading volume."
# a story about trading before the question about the selfie
LONG = (
    "I have traded futures and spot on your exchange for two years and my monthly volume "
    "is large. My friend says the VIP fee levels are better elsewhere. "
    "How do I take the selfie for identity verification?"
)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("how do I reset 2fa", []),
        ("提币没到账", []),
        # a decimal point is not a sentence end; a part too short to say anything is left out
        ("Hi. Where is my deposit? thanks", []),
        (
            "sent 0.5 BTC yesterday to you. still nothing on my balance!! what should I do now?",
            [
                "sent 0.5 BTC yesterday to you",
                "still nothing on my balance",
                "what should I do now",
            ],
        ),
        (
            "我昨天从别的平台转了500U过来。链上显示成功了，但是账户里一直没有！",
            ["我昨天从别的平台转了500U过来", "链上显示成功了，但是账户里一直没有"],
        ),
        # a long text without a sentence end is cut at its commas
        (
            "fat fingered a sell, typed 50 instead of 5 and it filled, can you roll back the trade",
            [
                "fat fingered a sell",
                "typed 50 instead of 5 and it filled",
                "can you roll back the trade",
            ],
        ),
        (
            "我转了500U过来，链上显示成功了，但是账户里一直没有，怎么办",
            ["我转了500U过来", "链上显示成功了", "但是账户里一直没有"],
        ),
        # at most MAX_PARTS, the last ones: the question usually ends the text
        (
            "First one here. Second one here. Third one here. Fourth one here. Where is my deposit?",
            ["Second one here", "Third one here", "Fourth one here", "Where is my deposit"],
        ),
        ("", []),
        ("   \n\n  ", []),
        ("." * 500, []),
    ],
)
def test_parts(query, expected):
    assert focus.parts(query) == expected


def test_a_huge_query_costs_at_most_max_parts_embeddings():
    query = "My deposit is missing. " * 2000
    assert len(focus.parts(query)) == focus.MAX_PARTS


@pytest.fixture
def articles(settings, db):
    settings.HELPCENTER_SEMANTIC_SEARCH = True
    assert semantic.enabled()
    for slug, title, body in (
        ("kyc-levels", "Identity verification levels", KYC_BODY),
        ("trading-fees", "Trading fees", FEES_BODY),
    ):
        services.article_import(
            source=ArticleSource(slug=slug, lang="en", title=title, category="account", body=body)
        )
    ids = list(Article.objects.values_list("id", flat=True))
    assert services.article_embed(article_ids=ids) == 2


def _signals(query: str) -> dict[str, dict]:
    found, _ = engine.candidates(query, lang="en")
    return {c.slug: c.signals for c in found}


def test_the_asked_sentence_is_evidence_on_its_own(articles):
    signals = _signals(LONG)["kyc-levels"]
    # the whole text reads as much about trading as about the selfie; its last sentence does not
    assert signals["sec_focus"] > signals["sec"]
    assert signals["sem_focus"] > signals["sem"]
    assert signals["sec_focus_margin"] > signals["sec_margin"]


def test_a_question_of_one_sentence_is_its_own_focus(articles):
    signals = _signals("how do I take the selfie for identity verification")["kyc-levels"]
    assert signals["sem_focus"] == signals["sem"]
    assert signals["sec_focus"] == signals["sec"]
    assert signals["asked_focus"] == signals["asked"]
    assert signals["sec_focus_margin"] == signals["sec_margin"]


def test_a_taught_question_near_one_sentence_counts(articles):
    kyc = Article.objects.get(slug="kyc-levels")
    kyc.questions = ["how do I take the selfie for identity verification"]
    services.article_save(article=kyc)
    assert services.article_embed(article_ids=[kyc.id]) == 1
    signals = _signals(LONG)["kyc-levels"]
    assert signals["asked_focus"] > signals["asked"]
    assert signals["asked_focus"] > 0.99  # the last sentence is the taught question itself


def test_long_questions_search_like_short_ones_with_the_shipped_models(articles):
    hits = engine.search(LONG, lang="en")
    assert hits[0].slug == "kyc-levels"
