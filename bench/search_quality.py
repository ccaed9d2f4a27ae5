"""Help-centre search quality: MRR@5 and recall@5 over hand-written query sets.

Imports ../shared/corpora/kb and the demo synonym groups into a scratch database, then
runs three sets with every feature on, and beside them the plain keyword baseline (no
synonyms, no typo tolerance, no semantic matching) from the same run:

- `own`: bench/search_queries.yaml, written by reading the corpus (the ranking constants
  were set on it);
- `fit` and `held`: the two halves of bench/fresh_queries.yaml (issue 18), written as
  customers type, cross-language included; both are now fitting material for the
  relevance and confidence models (helpcenter/search/confidence.py), with the own sets;
- `judge` and `judge2`: bench/judge_queries.yaml and bench/judge2_queries.yaml (harder),
  each committed before any result on it was seen; scored, then fitting material since
  the third round;
- `judge3` to `judge11`: bench/judge3_queries.yaml to judge11_queries.yaml, each written
  blind after the one before was scored; scored, then fitting material (the fourth to
  eleventh rounds);
- `judge12` to `judge15`: bench/judge12_queries.yaml to judge15_queries.yaml, each
  written blind after the one before was scored, never fitted on: the figures to believe.

With semantic matching, each set is scored with the other sets' questions taught
(`teach`), never its own.

Unanswerable questions of each set give its "no good match" rate.

With --traditional every question typed in Chinese is first written in Traditional
characters and Taiwan's words (OpenCC `s2twp`: 账户 → 帳戶, 软件 → 軟體), as a customer
from Taiwan would type it: what search makes of the same questions in the other script
(taught questions stay Simplified, as editors write them).

    python bench/search_quality.py [--quick] [--no-semantic] [--no-by-sound] [--show-misses]
                                   [--traditional]
"""

from __future__ import annotations

import argparse
import os
import pickle
import time
from collections import defaultdict
from io import StringIO

import yaml
from _support import KB_CORPUS, ROOT, django_on_scratch_database, drop_scratch_database, emit
from fit_confidence import SET_NAMES

K = 5


def load_queries(quick: bool) -> list[dict]:
    """Every query with its `set` (own, fit, held, judge, judge2 ... judge15); --quick:
    a quarter of own and of the judge sets, half of the fresh set."""
    own = yaml.safe_load((ROOT / "bench" / "search_queries.yaml").read_text(encoding="utf-8"))
    for item in own:
        item["set"] = "own"
    fresh, judge = load_fresh(), load_judge()
    if quick:
        own, fresh, judge = own[::4], fresh[::2], judge[::4]
    return own + fresh + judge


def load_fresh() -> list[dict]:
    """bench/fresh_queries.yaml split as bench/fit_confidence.py splits it (kind: fresh)."""
    from fit_confidence import load

    fresh = load()
    for item in fresh:
        item["set"], item["kind"] = item.pop("split"), "fresh"
    return fresh


def load_judge() -> list[dict]:
    from fit_confidence import load_judge as judge

    return [dict(item, set=item.pop("split"), kind="judge") for item in judge()]


def in_traditional(queries: list[dict]) -> list[dict]:
    import opencc

    converter = opencc.OpenCC("s2twp")
    return [dict(item, q=converter.convert(item["q"])) for item in queries]


def reciprocal_rank(found: list[str], expected: list[str]) -> float:
    for position, slug in enumerate(found[:K], start=1):
        if slug in expected:
            return 1.0 / position
    return 0.0


def no_good_match(hits, features) -> bool:
    """What the search page would do: True when it says "no good match" (new code only)."""
    from helpcenter import selectors

    if not hits:
        return True
    threshold = getattr(selectors, "search_threshold", None)
    if threshold is None or not hasattr(hits[0], "confidence"):
        return False  # the old engine always lists what it found
    return max(hit.confidence for hit in hits) < threshold(semantic=features.semantic)


def evaluate(queries: list[dict], features, show_misses: bool) -> dict[str, dict[str, float]]:
    from helpcenter.search.engine import search

    by_group: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for item in queries:
        hits = search(item["q"], lang=item["lang"], limit=K, features=features)
        hidden = no_good_match(hits, features)
        if not item["expect"]:
            by_group[f"{item['set']} no-match"].append((float(hidden), float(hidden)))
            continue
        found = [] if hidden else [hit.slug for hit in hits]
        rr = reciprocal_rank(found, item["expect"])
        recall = 1.0 if any(slug in item["expect"] for slug in found[:K]) else 0.0
        groups = (f"{item['set']} {item['lang']}", f"{item['set']} all")
        if item["set"] == "own":
            groups += (f"own kind:{item['kind']}",)
        for group in groups:
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
        reused = embeddings_from_cache()
        count = services.article_embeddings_refresh(batch_size=64, max_batches=1000)
        embeddings_to_cache()
        print(
            f"embedded {count} articles in {time.perf_counter() - started:.1f} s"
            f" ({reused} from {EMBEDDING_CACHE})"
        )
    services.search_caches_clear()


# Article vectors of earlier runs, by passage hash: the corpus takes minutes to embed on
# two shared cores, and the same text always gives the same vector.
EMBEDDING_CACHE = ROOT / "var" / "bench_embeddings.pickle"


def embeddings_from_cache() -> int:
    from helpcenter.models import Article
    from helpcenter.search import semantic

    if not EMBEDDING_CACHE.exists():
        return 0
    known = pickle.loads(EMBEDDING_CACHE.read_bytes())
    reused = 0
    for article in Article.objects.only(
        "id", "title", "tags", "summary", "body_text", "body_html", "questions"
    ):
        digest = semantic.passage_hash(article)
        if digest in known:
            Article.objects.filter(id=article.id).update(
                embedding=known[digest], embedding_hash=digest
            )
            reused += 1
    return reused


def embeddings_to_cache() -> None:
    from helpcenter.models import Article

    known = pickle.loads(EMBEDDING_CACHE.read_bytes()) if EMBEDDING_CACHE.exists() else {}
    rows = Article.objects.filter(embedding__isnull=False).values_list(
        "embedding_hash", "embedding"
    )
    known.update((digest, bytes(vector)) for digest, vector in rows)
    EMBEDDING_CACHE.parent.mkdir(exist_ok=True)
    EMBEDDING_CACHE.write_bytes(pickle.dumps(known))


# Taught questions (helpcenter/search/taught.py): the fitting pool's questions are filed
# under their expected articles, as an editor would file questions customers asked. Each
# set is scored with the questions of the other sets taught, never its own (the judge
# sets with the whole pool), as bench/fit_confidence.py fits it.
QUESTION_VECTORS = ROOT / "var" / "bench_question_vectors.pickle"


def teach(questions: list[dict]) -> int:
    """File `questions` under their expected articles (the version in the question's own
    language when there is one), replacing what was taught before; how many were filed."""
    import numpy as np

    from helpcenter import services
    from helpcenter.models import Article
    from helpcenter.search import engine, semantic

    by_version = {
        (slug, lang): i for i, slug, lang in Article.objects.values_list("id", "slug", "lang")
    }
    filed: dict[int, list[str]] = defaultdict(list)
    for q in questions:
        for slug in q["expect"]:
            wanted = (engine.query_language(q["q"]), q["lang"], "en", "zh-hans")
            version = next(
                (by_version[(slug, lang)] for lang in wanted if (slug, lang) in by_version), None
            )
            if version is not None and q["q"] not in filed[version]:
                filed[version].append(q["q"])
    known = pickle.loads(QUESTION_VECTORS.read_bytes()) if QUESTION_VECTORS.exists() else {}
    missing = sorted({t for texts in filed.values() for t in texts} - known.keys())
    if missing:
        known.update(
            zip(missing, np.asarray(semantic.embed_query(missing), np.float32), strict=True)
        )
        QUESTION_VECTORS.parent.mkdir(exist_ok=True)
        QUESTION_VECTORS.write_bytes(pickle.dumps(known))
    Article.objects.update(questions=[], questions_embedding=None)
    for version, texts in filed.items():
        Article.objects.filter(id=version).update(
            questions=texts, questions_embedding=np.vstack([known[t] for t in texts]).tobytes()
        )
    services.search_caches_clear()
    return sum(len(texts) for texts in filed.values())


def each_set_taught_apart(items: list[dict], run, semantic_on: bool) -> list:
    """run(items of one set) for each set in turn, the others' pool questions taught."""
    from fit_confidence import load_pool

    if not semantic_on:
        return [run(items)]
    pool = load_pool()
    results = []
    for name in dict.fromkeys(item["set"] for item in items):
        teach([q for q in pool if q["split"] != name])
        results.append(run([item for item in items if item["set"] == name]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a quarter of the queries")
    parser.add_argument("--no-semantic", action="store_true", help="keyword search only")
    parser.add_argument(
        "--no-by-sound", action="store_true", help="no slips read by sound (the before column)"
    )
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument(
        "--traditional", action="store_true", help="questions typed in Chinese, in Traditional"
    )
    args = parser.parse_args()

    if args.no_by_sound:
        os.environ["BEACON_READ_BY_SOUND"] = "0"
    database = django_on_scratch_database()
    try:
        from helpcenter.search.engine import Features

        prepare(semantic_on=not args.no_semantic)
        queries = load_queries(args.quick)
        if args.traditional:
            queries = in_traditional(queries)
        full = {}
        for part in each_set_taught_apart(
            queries,
            lambda items: evaluate(
                items, Features(semantic=not args.no_semantic), args.show_misses
            ),
            semantic_on=not args.no_semantic,
        ):
            full.update(part)
        full = dict(sorted(full.items()))
        baseline = evaluate(
            queries, Features(synonyms=False, typos=False, by_sound=False, semantic=False), False
        )
    finally:
        drop_scratch_database(database)

    print('(no-match rows: share of unanswerable questions that got "no good match")')
    print(f"{'group':<22}{'n':>5}{'MRR@5':>9}{'recall@5':>10}{'base MRR':>10}{'base rec':>10}")
    for group, row in full.items():
        base = baseline[group]
        print(
            f"{group:<22}{row['n']:>5}{row['mrr5']:>9.3f}{row['recall5']:>10.3f}"
            f"{base['mrr5']:>10.3f}{base['recall5']:>10.3f}"
        )
    result = {"bench": "search_quality", "queries": len(queries), "semantic": not args.no_semantic}
    result["by_sound"] = not args.no_by_sound
    if args.traditional:
        result["traditional"] = True
    for name in SET_NAMES:
        for lang, short in (("zh-hans", "zh"), ("en", "en")):
            key = f"{name} {lang}"
            if key in full:
                result[f"{name}_mrr5_{short}"] = round(full[key]["mrr5"], 3)
                result[f"{name}_baseline_mrr5_{short}"] = round(baseline[key]["mrr5"], 3)
        if f"{name} no-match" in full:
            result[f"{name}_no_match_unanswerable"] = round(full[f"{name} no-match"]["mrr5"], 3)
    emit(result)


if __name__ == "__main__":
    main()
