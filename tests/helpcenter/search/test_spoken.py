"""Acronyms as speech-to-text spells them are read as the articles' words
(helpcenter/search/spoken.py)."""

from __future__ import annotations

import pytest

from helpcenter.search import engine, spoken, typos
from helpcenter.selectors import article_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def help_centre(article_factory):
    article_factory(
        slug="usdt-networks",
        lang="en",
        title="Sending USDT: which network",
        body_markdown="USDT runs on TRC20 and ERC20; pick the same network on both sides.",
    )
    article_factory(
        slug="api-keys",
        lang="en",
        title="Create an API key",
        body_markdown="Tick read-only for tax tools.",
    )
    article_factory(
        slug="txid",
        lang="en",
        title="Where to find the TXID",
        body_markdown="The transaction hash is on the withdrawal's details.",
    )
    typos.clear_cache()
    yield
    typos.clear_cache()


@pytest.mark.usefixtures("help_centre")
@pytest.mark.parametrize(
    ("dictated", "meant"),
    [
        ("sending you ess dee tea on tea are see twenty", "sending usdt on trc20"),
        ("my tax app wants an a p i key", "my tax app wants an api key"),
        ("tee ex ID is done", "txid is done"),
        ("E R C twenty or T R C twenty?", "erc20 or trc20?"),
    ],
)
def test_a_spelled_out_acronym_is_read_as_the_articles_word(dictated, meant):
    assert spoken.corrected(dictated) == meant


@pytest.mark.usefixtures("help_centre")
@pytest.mark.parametrize(
    "question",
    [
        "are you open on sundays",  # letter names that spell no word of the articles
        "I see a b c on the screen",
        "a, p, i",  # not one run: commas between
        "B N B fee discount",  # an acronym no article holds
        "",
    ],
)
def test_letter_names_that_spell_no_article_word_are_left_as_typed(question):
    assert spoken.corrected(question) == question


@pytest.mark.usefixtures("help_centre")
def test_a_dictated_question_finds_the_article():
    question = "where is the tee ex ID"
    hits = article_search(query=question, lang="en")
    plain = engine.search(question, lang="en", features=engine.Features(by_sound=False))
    # then: the TXID article, which the words as dictated do not find first
    assert [hit.slug for hit in hits][:1] == ["txid"]
    assert [hit.slug for hit in plain][:1] != ["txid"]
