"""Chat bot quality: does it answer what the help centre can answer, and hand off the rest?

Imports ../shared/corpora/kb and the demo synonym groups into a scratch database (as
search_quality.py does), then puts every question of bench/bot_queries.yaml to the bot's
decision (livechat.bot.decide, as a signed-in customer) and scores it:

- answer accuracy: answerable questions where an expected article is among the answers;
- wrong-answer rate: answerable questions answered, but with none of the expected ones;
- hand-off rate on unanswerable questions: the bot offered a human (or handed off).

Baseline, same run: plain keyword search (no synonyms, typo tolerance or semantic
matching) answering with its top three whenever it finds anything. A sweep then shows
what each confidence threshold would give, per language; the best (most right answers
minus twice the wrong answers and missed hand-offs) is what livechat/bot/knowledge.py
should hold.

    python bench/bot_quality.py [--quick] [--no-semantic] [--show-misses]
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import yaml
from _support import ROOT, django_on_scratch_database, drop_scratch_database, emit

LANGS = ("en", "zh-hans")


def load_questions(quick: bool) -> list[dict]:
    questions = yaml.safe_load((ROOT / "bench" / "bot_queries.yaml").read_text(encoding="utf-8"))
    # Every third: the set alternates languages, so both stay in (every fourth would not).
    return questions[::3] if quick else questions


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

    plain = Features(synonyms=False, typos=False, semantic=False)
    return [
        (q, [hit.slug for hit in search(q["q"], lang=q["lang"], limit=3, features=plain)] or None)
        for q in questions
    ]


def sweep(questions) -> dict[str, list[tuple[float, dict, float]]]:
    """Per language: (threshold, score, objective) for a range of thresholds."""
    from livechat.bot import knowledge

    found = {id(q): knowledge.candidates(q["q"], q["lang"]) for q in questions}
    measures = sorted({c.measure for cands in found.values() for c in cands[:1]})
    table: dict[str, list] = defaultdict(list)
    for lang in LANGS:
        mine = [q for q in questions if q["lang"] == lang]
        for threshold in measures:
            outcomes = [
                (q, [c.slug for c in knowledge.confident(found[id(q)], threshold)] or None)
                for q in mine
            ]
            s = score(outcomes)
            wrong = s["wrong_answer_rate"] * s["answerable"]
            missed = (1 - s["handoff_rate_unanswerable"]) * s["unanswerable"]
            objective = s["answer_accuracy"] * s["answerable"] - 2 * (wrong + missed)
            table[lang].append((threshold, s, objective))
    return table


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
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    database = django_on_scratch_database()
    try:
        prepare(semantic_on=not args.no_semantic)
        from livechat.bot import knowledge

        questions = load_questions(args.quick)
        bot = bot_outcomes(questions, args.show_misses)
        baseline = baseline_outcomes(questions)
        table = {} if args.quick else sweep(questions)
        semantic = knowledge.semantic_on()
        thresholds = {lang: knowledge.threshold_for(lang, semantic) for lang in LANGS}
    finally:
        drop_scratch_database(database)

    mine, base = score(bot), score(baseline)
    print(
        f"{len(questions)} questions: {mine['answerable']} answerable, "
        f"{mine['unanswerable']} not; measure: {'cosine' if semantic else 'keyword rank'}, "
        f"thresholds {thresholds}"
    )
    print(f"{'':<34}{'accuracy':>9}{'wrong':>8}{'hand-off':>10}")
    print(row("bot", mine))
    for lang in LANGS:
        print(row(f"  bot, {lang}", score([o for o in bot if o[0]["lang"] == lang])))
    print(row("baseline: keywords, no threshold", base))
    if table:
        print("sweep (best per language; objective = right - 2 x (wrong + missed hand-offs)):")
    for lang in table:
        threshold, s, objective = max(table[lang], key=lambda entry: (entry[2], -entry[0]))
        print(row(f"  {lang} at {threshold:.4f} ({objective:+.0f})", s))
    emit(
        {
            "bench": "bot_quality",
            "questions": len(questions),
            "semantic": semantic,
            "answer_accuracy": round(mine["answer_accuracy"], 3),
            "wrong_answer_rate": round(mine["wrong_answer_rate"], 3),
            "handoff_rate_unanswerable": round(mine["handoff_rate_unanswerable"], 3),
            "baseline_answer_accuracy": round(base["answer_accuracy"], 3),
            "baseline_wrong_answer_rate": round(base["wrong_answer_rate"], 3),
            "baseline_handoff_rate_unanswerable": round(base["handoff_rate_unanswerable"], 3),
        }
    )


if __name__ == "__main__":
    main()
