"""Chat bot quality: does it answer what the help centre can answer, and hand off the rest?

Imports ../shared/corpora/kb and the demo synonym groups into a scratch database (as
search_quality.py does), then puts every question of bench/bot_queries.yaml to the bot's
decision (livechat.bot.decide, as a signed-in customer) and scores it:

- answer accuracy: answerable questions where an expected article is among the answers;
- wrong-answer rate: answerable questions answered, but with none of the expected ones;
- hand-off rate on unanswerable questions: the bot offered a human (or handed off).

Eighteen sets: `own` (bench/bot_queries.yaml, written by reading the corpus), the `fit`
and `held` halves of bench/fresh_queries.yaml (issue 18), and fifteen judge sets, each
written blind and committed before any result on it was seen: `judge`, `judge2`
(harder), `judge3` to `judge15` (bench/judge*_queries.yaml). The bot's confidence model
and thresholds (helpcenter/search/confidence.py) were fitted by bench/fit_confidence.py
on all but judge12 to judge15 (with bench/search_queries.yaml and
unanswerable_queries.yaml): each judge set was scored once before it joined that fit.
judge12 to judge15 are never fitted on: their figures are the ones to believe. With
semantic matching, each set is scored with the other sets' questions taught
(search_quality.teach), never its own.

Baseline, same run: plain keyword search (no synonyms, typo tolerance or semantic
matching) answering with its top three whenever it finds anything.

    python bench/bot_quality.py [--quick] [--no-semantic] [--no-by-sound] [--show-misses]
"""

from __future__ import annotations

import argparse
import os

import yaml
from _support import ROOT, django_on_scratch_database, drop_scratch_database, emit
from fit_confidence import SET_NAMES
from search_quality import each_set_taught_apart

LANGS = ("en", "zh-hans")


SETS = SET_NAMES


def load_questions(quick: bool) -> list[dict]:
    own = yaml.safe_load((ROOT / "bench" / "bot_queries.yaml").read_text(encoding="utf-8"))
    for q in own:
        q["set"] = "own"
    from fit_confidence import load, load_judge

    fresh, judge = load(), load_judge()
    for q in fresh + judge:
        q["set"] = q.pop("split")
    # Every third: the sets alternate languages, so both stay in (every fourth would not);
    # the judge sets are written language by language, so every sixth keeps both.
    return own[::3] + fresh[::3] + judge[::6] if quick else own + fresh + judge


def score(outcomes: list[tuple[dict, list[str] | None]]) -> dict[str, float]:
    """outcomes: (question, slugs answered or None for a hand-off)."""
    answerable = [(q, given) for q, given in outcomes if q["expect"]]
    unanswerable = [(q, given) for q, given in outcomes if not q["expect"]]
    right = sum(1 for q, given in answerable if given and set(given) & set(q["expect"]))
    wrong = sum(1 for q, given in answerable if given and not set(given) & set(q["expect"]))
    handed = sum(1 for _, given in unanswerable if not given)
    return {
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "answer_accuracy": right / len(answerable) if answerable else 0.0,
        "wrong_answer_rate": wrong / len(answerable) if answerable else 0.0,
        "handoff_rate_unanswerable": handed / len(unanswerable) if unanswerable else 0.0,
    }


def bot_outcomes(questions, show_misses: bool):
    from livechat.bot.decide import Kind, decide

    outcomes = []
    for q in questions:
        decision = decide(q["q"], lang=q["lang"], signed_in=True)
        given = [a.slug for a in decision.answers] if decision.kind == Kind.ANSWERS else None
        outcomes.append((q, given))
        if show_misses and (
            bool(given) != bool(q["expect"]) or (given and not set(given) & set(q["expect"]))
        ):
            print(
                f"  miss {q['lang']:7} {q['q']!r} expect={q['expect']} got={given or decision.kind}"
            )
    return outcomes


def baseline_outcomes(questions):
    from helpcenter.search.engine import Features, search

    plain = Features(synonyms=False, typos=False, by_sound=False, semantic=False)
    return [
        (q, [hit.slug for hit in search(q["q"], lang=q["lang"], limit=3, features=plain)] or None)
        for q in questions
    ]


def prepare(semantic_on: bool) -> None:
    """The same corpus, synonyms and embeddings as the search benchmark."""
    from search_quality import prepare as search_prepare

    search_prepare(semantic_on)


def row(name: str, s: dict) -> str:
    return (
        f"{name:<34}{s['answer_accuracy']:>9.3f}{s['wrong_answer_rate']:>8.3f}"
        f"{s['handoff_rate_unanswerable']:>10.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a third of the questions, no sweep")
    parser.add_argument("--no-semantic", action="store_true", help="keyword search only")
    parser.add_argument(
        "--no-by-sound", action="store_true", help="no slips read by sound (the before column)"
    )
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    if args.no_by_sound:
        os.environ["BEACON_READ_BY_SOUND"] = "0"
    database = django_on_scratch_database()
    try:
        prepare(semantic_on=not args.no_semantic)
        from livechat.bot import knowledge

        questions = load_questions(args.quick)
        bot = [
            outcome
            for part in each_set_taught_apart(
                questions,
                lambda items: bot_outcomes(items, args.show_misses),
                semantic_on=not args.no_semantic,
            )
            for outcome in part
        ]
        baseline = baseline_outcomes(questions)
        semantic = knowledge.semantic_on()
        thresholds = {lang: knowledge.threshold_for(lang, semantic) for lang in LANGS}
    finally:
        drop_scratch_database(database)

    print(
        f"{len(questions)} questions; semantic matching {'on' if semantic else 'off'}, "
        f"thresholds {thresholds}"
    )
    print(f"{'':<34}{'accuracy':>9}{'wrong':>8}{'hand-off':>10}{'n':>5}")
    result = {"bench": "bot_quality", "questions": len(questions), "semantic": semantic}
    result["by_sound"] = not args.no_by_sound
    for name in SETS:
        for lang in (*LANGS, None):
            mine = [o for o in bot if o[0]["set"] == name and lang in (None, o[0]["lang"])]
            base = [o for o in baseline if o[0]["set"] == name and lang in (None, o[0]["lang"])]
            if not mine:
                continue
            s, b = score(mine), score(base)
            label = f"{name} {lang or 'all'}"
            print(row(f"bot, {label}", s) + f"{len(mine):>5}")
            print(row(f"  keywords, no threshold, {label}", b))
            key = name if lang is None else f"{name}_{'zh' if lang == 'zh-hans' else 'en'}"
            result[f"{key}_answer_accuracy"] = round(s["answer_accuracy"], 3)
            result[f"{key}_wrong_answer_rate"] = round(s["wrong_answer_rate"], 3)
            result[f"{key}_handoff_rate_unanswerable"] = round(s["handoff_rate_unanswerable"], 3)
            if lang is None:
                result[f"{key}_baseline_answer_accuracy"] = round(b["answer_accuracy"], 3)
                result[f"{key}_baseline_wrong_answer_rate"] = round(b["wrong_answer_rate"], 3)
                result[f"{key}_baseline_handoff_rate_unanswerable"] = round(
                    b["handoff_rate_unanswerable"], 3
                )
    emit(result)


if __name__ == "__main__":
    main()
