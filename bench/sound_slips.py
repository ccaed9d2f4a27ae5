"""Slips read by sound: what reading them back changes.

The readings are the engine's `by_sound` feature: pinyin homophones, pinyin and its
initials (helpcenter/search/homophones.py), spelled-out acronyms
(helpcenter/search/spoken.py). Runs every question set through the readings alone (no
search) and counts how many questions they rewrite; then searches each rewritten question twice, with the reading and
without it (all other features on, the other sets' questions taught as in
bench/search_quality.py; a list below the confidence bar counts as "no good match", as
the search page shows it), and reports MRR@5 of both by set. A question the reading
leaves alone searches the same either way, so these rows are the whole effect.

The readings' guards were set while looking at the rewrites of the fitting pool (own,
fit, held, judge ... judge11) and of judge12; judge14 and judge15 played no part in
them. judge13
did in kind: the homophone reading was first tried on the slips its header names.

    python bench/sound_slips.py [--list]
"""

from __future__ import annotations

import argparse
from collections import defaultdict

from _support import django_on_scratch_database, drop_scratch_database, emit
from fit_confidence import SET_NAMES
from search_quality import (
    K,
    each_set_taught_apart,
    load_queries,
    no_good_match,
    prepare,
    reciprocal_rank,
)


def rewritten(queries: list[dict]) -> list[dict]:
    from helpcenter.search.engine import Features, read

    found = []
    for item in queries:
        fixed = read(item["q"])
        if fixed != read(item["q"], Features(by_sound=False)):
            found.append(dict(item, fixed=fixed))
    return found


def scored(items: list[dict]) -> list[dict]:
    from helpcenter.search.engine import Features, search

    for item in items:
        for key, features in (("rr_on", Features()), ("rr_off", Features(by_sound=False))):
            hits = search(item["q"], lang=item["lang"], limit=K, features=features)
            shown = [] if no_good_match(hits, features) else [hit.slug for hit in hits]
            item[key] = reciprocal_rank(shown, item["expect"])
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print each rewritten question")
    args = parser.parse_args()
    database = django_on_scratch_database()
    try:
        prepare(semantic_on=True)
        queries = load_queries(quick=False)
        changed = rewritten(queries)
        answerable = [item for item in changed if item["expect"]]
        results = [row for part in each_set_taught_apart(answerable, scored, True) for row in part]
    finally:
        drop_scratch_database(database)

    by_set: dict[str, list[dict]] = defaultdict(list)
    for item in results:
        by_set[item["set"]].append(item)
    total = defaultdict(int)
    for item in queries:
        total[item["set"]] += 1
    rewrites = defaultdict(int)
    for item in changed:
        rewrites[item["set"]] += 1
    if args.list:
        for item in changed:
            scores = f"{item.get('rr_off', 0):.2f} -> {item.get('rr_on', 0):.2f}"
            print(
                f"{item['set']:8} {scores if item['expect'] else 'unanswerable':14} "
                f"{item['q']}  =>  {item['fixed']}"
            )
    print(f"{'set':<10}{'questions':>10}{'rewritten':>10}{'scored':>8}{'MRR off':>9}{'MRR on':>8}")
    result: dict = {"bench": "sound_slips"}
    for name in SET_NAMES:
        rows = by_set.get(name, [])
        off = sum(row["rr_off"] for row in rows) / len(rows) if rows else 0.0
        on = sum(row["rr_on"] for row in rows) / len(rows) if rows else 0.0
        print(f"{name:<10}{total[name]:>10}{rewrites[name]:>10}{len(rows):>8}{off:>9.3f}{on:>8.3f}")
        result[name] = {
            "questions": total[name],
            "rewritten": rewrites[name],
            "scored": len(rows),
            "mrr5_off": round(off, 3),
            "mrr5_on": round(on, 3),
        }
    emit(result)


if __name__ == "__main__":
    main()
