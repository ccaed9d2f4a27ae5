"""The signals the confidence model reads off a candidate list (issue 18, sixth round)."""

from __future__ import annotations

from helpcenter.search import confidence, engine, semantic


def _candidate(slug: str, sem: float, *, zh: float = 0.0) -> engine.Candidate:
    evidence = {"coverage": 0.5, "title_coverage": 0.3, "gram_coverage": 0.6, "gram_known": 0.4}
    return engine.Candidate(slug, 1, 0.05, {"sem": sem, "sec": sem, "zh": zh, **evidence})


def test_a_lone_candidate_has_its_margin_over_what_was_left_out_not_over_nothing():
    # "tell me a joke": one article just above the semantic floor, nothing else listed.
    # Its margin over "no other article" was its whole similarity (0.81), forty times a
    # usual margin, and the bot answered it with full confidence.
    found = [_candidate("kb-002", 0.806)]
    engine._margin_over_others(found, "sec", "sec_margin")
    [(_, _, signals)] = engine.rerank(found, semantic_on=True, limit=5)
    expected = 0.806 - semantic.MIN_SIMILARITY
    assert abs(signals["sec_margin"] - expected) < 1e-9
    assert abs(signals["sem_margin"] - expected) < 1e-9


def test_margins_in_a_longer_list_are_over_the_best_other_candidate():
    found = [_candidate("a", 0.90), _candidate("b", 0.86), _candidate("c", 0.83)]
    engine._margin_over_others(found, "sec", "sec_margin")
    margins = {c.slug: round(c.signals["sec_margin"], 6) for c in found}
    assert margins == {"a": 0.04, "b": -0.04, "c": -0.07}


def test_chinese_questions_get_their_own_slope_on_the_listed_signals():
    for zh in (1.0, 0.0):
        [(_, _, signals)] = engine.rerank([_candidate("a", 0.9, zh=zh)], semantic_on=True, limit=5)
        for name in confidence.ZH_SLOPES:
            assert signals[f"{name}_zh"] == signals[name] * zh
        assert set(confidence.MODELS["semantic"].features) >= {
            f"{name}_zh" for name in confidence.ZH_SLOPES
        }


def test_the_confidence_reads_each_curved_signal_squared():
    found = [_candidate("a", 0.9), _candidate("b", 0.7)]
    engine._margin_over_others(found, "sec", "sec_margin")
    ordered = engine.rerank(found, semantic_on=True, limit=5)
    for _, _, signals in ordered:
        for name in confidence.CURVES:
            assert signals[f"{name}_sq"] == signals.get(name, 0.0) ** 2
    assert {f"{name}_sq" for name in confidence.CURVES} <= set(
        confidence.MODELS["semantic"].features
    )
