"""Which help-centre candidates the bot answers with (livechat.bot.knowledge.confident)."""

from __future__ import annotations

from livechat.bot.knowledge import Candidate, companion_threshold, confident, threshold_for


def _candidate(slug: str, measure: float) -> Candidate:
    return Candidate(0, slug, "en", slug, f"/help/articles/{slug}/", "", measure)


def test_no_answer_unless_the_first_candidate_reaches_the_bar():
    found = [_candidate("a", 0.39), _candidate("b", 0.9)]
    assert confident(found, 0.4, 0.1) == []
    assert confident([], 0.4, 0.1) == []


def test_the_runners_up_go_with_a_confident_first_answer_when_they_reach_the_lower_bar():
    found = [
        _candidate("a", 0.8),
        _candidate("b", 0.2),
        _candidate("c", 0.05),
        _candidate("d", 0.7),
    ]
    assert [c.slug for c in confident(found, 0.4, 0.1)] == ["a", "b"]  # at most three looked at
    assert [c.slug for c in confident(found, 0.4)] == ["a"]  # default: the same bar for all


def test_the_fitted_bar_for_runners_up_is_never_above_the_bar_for_the_first_answer():
    for semantic in (True, False):
        for lang in ("en", "zh-hans"):
            companion, bar = companion_threshold(lang, semantic), threshold_for(lang, semantic)
            assert 0.0 < companion <= bar < 1.0


def test_a_chat_in_another_language_uses_the_english_bars():
    for semantic in (True, False):
        assert threshold_for("fr", semantic) == threshold_for("en", semantic)
        assert companion_threshold("fr", semantic) == companion_threshold("en", semantic)
