"""Character bigrams: keyword evidence for Chinese questions that does not hang on how
jieba happens to cut them (helpcenter/search/grams.py)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from helpcenter.models import Article
from helpcenter.search import grams
from helpcenter.selectors import article_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb(db, kb_corpus):
    from helpcenter import services

    call_command("import_articles", str(kb_corpus), verbosity=0)
    services.search_caches_clear()


def test_chinese_runs_become_overlapping_pairs_and_latin_words_their_stems():
    assert grams.grams("提币没到账") == ["提币", "币没", "没到", "到账"]
    assert grams.grams("USDT提现 pending") == ["usdt", "提现", "pend"]
    assert grams.grams("币") == ["币"]
    assert grams.grams("") == []


def _versions(slug: str) -> list[dict]:
    return list(Article.objects.filter(slug=slug).values("title", "tags", "body_text"))


def test_the_article_a_question_is_about_covers_more_of_it_than_a_neighbour(kb):
    question = "提币显示成功但是没收到"
    right = grams.signals(question, _versions("kb-038"))  # shows completed but has not arrived
    neighbour = grams.signals(question, _versions("kb-036"))  # how to withdraw crypto
    assert right["gram_title"] > neighbour["gram_title"]
    assert right["gram_bm25"] > neighbour["gram_bm25"]


def test_a_question_with_nothing_in_common_scores_zero(kb):
    found = grams.signals("weather forecast tomorrow", _versions("kb-057"))
    assert (found["gram_bm25"], found["gram_title"], found["gram_coverage"]) == (0.0, 0.0, 0.0)


def test_how_much_of_the_question_the_help_centre_has_words_for_at_all(kb):
    # the same for every article: a confidence input for questions no article answers
    known = grams.signals("withdrawal address", _versions("kb-057"))["gram_known"]
    assert known == grams.signals("withdrawal address", _versions("kb-030"))["gram_known"]
    assert known == 1.0
    assert grams.signals("weather forecast tomorrow", _versions("kb-057"))["gram_known"] < 0.5
    assert grams.signals("", _versions("kb-057"))["gram_known"] == 0.0


def test_an_article_that_lacks_the_questions_most_specific_word_is_marked(kb):
    # "csv" is in the help centre (the export article) but not in the withdrawal one: the
    # withdrawal article is about the question without saying it
    withdrawal = _versions("kb-036")  # how to withdraw crypto
    about_it = grams.signals("how to withdraw crypto", withdrawal)["gram_missing"]
    near_miss = grams.signals("how to withdraw crypto from a CSV file", withdrawal)["gram_missing"]
    assert about_it == 0.0
    assert near_miss > 0.5
    # a word no article has is gram_known's business, not a near miss
    unknown_word = grams.signals("how to withdraw crypto umbrella", withdrawal)["gram_missing"]
    assert unknown_word == 0.0
    assert grams.signals("", withdrawal)["gram_missing"] == 0.0


def test_every_hit_carries_the_bigram_evidence_the_models_were_fitted_on(kb):
    hits = article_search(query="充币地址在哪里", lang="zh-hans")
    assert hits[0].slug == "kb-030"
    for name in (
        "gram_bm25",
        "gram_title",
        "gram_coverage",
        "gram_gap",
        "gram_known",
        "gram_missing",
    ):
        assert name in hits[0].signals
    assert hits[0].signals["gram_gap"] <= 0.0
