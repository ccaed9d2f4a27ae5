"""Help-centre search quality: MRR@5 and recall@5 over a hand-written query set.

Imports ../shared/corpora/kb and the demo synonym groups into a scratch database, runs
bench/search_queries.yaml (half Chinese; colloquial, typos, synonyms, mixed language)
with every feature on, and beside it the plain keyword baseline (no synonyms, no typo
tolerance, no semantic matching) from the same run.

    python bench/search_quality.py [--quick] [--no-semantic] [--show-misses]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from io import StringIO

import yaml
from _support import KB_CORPUS, ROOT, django_on_scratch_database, drop_scratch_database, emit

K = 5


def load_queries(quick: bool) -> list[dict]:
    queries = yaml.safe_load((ROOT / "bench" / "search_queries.yaml").read_text(encoding="utf-8"))
    return queries[::4] if quick else queries


def reciprocal_rank(found: list[str], expected: list[str]) -> float:
    for position, slug in enumerate(found[:K], start=1):
        if slug in expected:
            return 1.0 / position
    return 0.0


def evaluate(queries: list[dict], features, show_misses: bool) -> dict[str, dict[str, float]]:
    from helpcenter.search.engine import search

    by_group: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for item in queries:
        found = [
            hit.slug for hit in search(item["q"], lang=item["lang"], limit=K, features=features)
        ]
        rr = reciprocal_rank(found, item["expect"])
        recall = 1.0 if any(slug in item["expect"] for slug in found[:K]) else 0.0
        for group in (item["lang"], f"kind:{item['kind']}", "all"):
            by_group[group].append((rr, recall))
        if show_misses and rr < 1:
            print(
                f"  rr={rr:.2f} {item['lang']:7} {item['q']!r} expect={item['expect']} got={found}"
            )
    return {
        group: {
            "mrr5": sum(r for r, _ in rows) / len(rows),
            "recall5": sum(c for _, c in rows) / len(rows),
            "n": len(rows),
        }
        for group, rows in sorted(by_group.items())
    }


def prepare(semantic_on: bool) -> None:
    from django.conf import settings
    from django.core.management import call_command

    from helpcenter import demo, services

    settings.HELPCENTER_SEMANTIC_SEARCH = semantic_on
    call_command("import_articles", str(KB_CORPUS), stdout=StringIO())
    demo.seed_site({}, demo.load_synonyms())
    if semantic_on:
        started = time.perf_counter()
        count = services.article_embeddings_refresh(batch_size=64, max_batches=1000)
        print(f"embedded {count} articles in {time.perf_counter() - started:.1f} s")
    services.search_caches_clear()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a quarter of the queries")
    parser.add_argument("--no-semantic", action="store_true", help="keyword search only")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    database = django_on_scratch_database()
    try:
        from helpcenter.search.engine import Features

        prepare(semantic_on=not args.no_semantic)
        queries = load_queries(args.quick)
        full = evaluate(queries, Features(semantic=not args.no_semantic), args.show_misses)
        baseline = evaluate(queries, Features(synonyms=False, typos=False, semantic=False), False)
    finally:
        drop_scratch_database(database)

    print(f"{'group':<18}{'n':>5}{'MRR@5':>9}{'recall@5':>10}{'base MRR':>10}{'base rec':>10}")
    for group, row in full.items():
        base = baseline[group]
        print(
            f"{group:<18}{row['n']:>5}{row['mrr5']:>9.3f}{row['recall5']:>10.3f}"
            f"{base['mrr5']:>10.3f}{base['recall5']:>10.3f}"
        )
    emit(
        {
            "bench": "search_quality",
            "queries": len(queries),
            "semantic": not args.no_semantic,
            "mrr5_zh": round(full["zh-hans"]["mrr5"], 3),
            "mrr5_en": round(full["en"]["mrr5"], 3),
            "recall5_zh": round(full["zh-hans"]["recall5"], 3),
            "recall5_en": round(full["en"]["recall5"], 3),
            "baseline_mrr5_zh": round(baseline["zh-hans"]["mrr5"], 3),
            "baseline_mrr5_en": round(baseline["en"]["mrr5"], 3),
        }
    )


if __name__ == "__main__":
    main()
