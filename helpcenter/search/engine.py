"""From a query string to ranked, de-duplicated hits with snippets and a confidence.

Ranking is per article (a slug), not per language version: the keyword list and the
semantic list are computed over every language, each article takes the best rank and
score of its versions, and the two lists are fused by reciprocal rank. The hit shows the
version in the UI language when there is one, so "withdrawal not received" typed in the
Chinese UI finds the Chinese article, and "提币没到账" in the English UI the English one.
Each hit carries a calibrated confidence (`confidence.py`); callers decide what is too
weak to show.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.conf import settings

from helpcenter.models import Article
from helpcenter.search import (
    backends,
    cantonese,
    confidence,
    focus,
    grams,
    homophones,
    indexing,
    semantic,
    snippets,
    spoken,
    synonyms,
    text,
    traditional,
    typos,
)
from helpcenter.search.cache import Refreshing, published_articles_stamp
from helpcenter.search.synonyms import Unit

LANGUAGES = ("en", "zh-hans")
# Rank this many candidates (article versions) before grouping them by article.
CANDIDATE_FACTOR = 4
# Reciprocal-rank fusion: constant and the keyword list's weight against the semantic one.
RRF_K = semantic.RRF_K
LEXICAL_WEIGHT = semantic.LEXICAL_WEIGHT
# Candidates the relevance model reorders (the fused ranking's best).
RERANK_POOL = 10

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Features:
    """What the engine may use beyond plain keywords; benchmarks switch them off for a baseline."""

    synonyms: bool = True
    typos: bool = True
    # Slips read by sound: pinyin homophones and initials, spelled-out acronyms.
    by_sound: bool = True
    semantic: bool = True


ALL_FEATURES = Features()


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    slug: str
    lang: str
    title: str
    snippet: str
    score: float
    # Probability that a support expert would accept this hit for the query (confidence.py).
    confidence: float = 1.0
    # What the confidence was computed from (bench/fit_confidence.py fits on these).
    signals: dict = field(default_factory=dict, compare=False, repr=False)


def query_language(query: str) -> str:
    """The language a query is written in: Chinese when it has at least as many Chinese
    characters as Latin words ("没填memo" is Chinese, "p2p appeal" English)."""
    normalised = text.normalize(query)
    cjk = len(_CJK_CHAR.findall(normalised))
    latin = len(re.findall(r"[a-z]+", normalised))
    return "zh-hans" if cjk and cjk >= latin else "en"


def query_units(query: str, features: Features = ALL_FEATURES) -> list[Unit]:
    """The query's tokens, their synonyms and likely corrections of misspelt title words."""
    query_tokens = text.tokens(query)
    if features.typos:
        query_tokens += [stem for stem in typos.corrections(query) if stem not in query_tokens]
    groups = synonyms.groups() if features.synonyms else []
    return synonyms.expand(query_tokens, groups)


def _alternatives(query: str, features: Features) -> list[list[Unit]]:
    """For each distinct token of the query, the units that would count as covering it."""
    own = list(dict.fromkeys(text.tokens(query)))
    corrected = dict(typos.correction_pairs(query)) if features.typos else {}
    groups = synonyms.groups() if features.synonyms else []
    result = []
    for token in own:
        units: list[Unit] = [(token,)]
        if token in corrected:
            units.append((corrected[token],))
        for group in groups:
            if any(token in term for term in group):
                units.extend(group)
        result.append(units)
    return result


def _covered(alternatives: list[list[Unit]], tokens: set[str]) -> float:
    if not alternatives:
        return 0.0
    hits = sum(1 for units in alternatives if any(all(t in tokens for t in unit) for unit in units))
    return hits / len(alternatives)


def _build_versions() -> tuple[dict[int, str], dict[str, dict[str, int]]]:
    by_id: dict[int, str] = {}
    by_slug: dict[str, dict[str, int]] = {}
    rows = Article.objects.filter(status=Article.Status.PUBLISHED).values_list("id", "slug", "lang")
    for article_id, slug, lang in rows.iterator(chunk_size=5000):
        by_id[article_id] = slug
        by_slug.setdefault(slug, {})[lang] = article_id
    return by_id, by_slug


_versions = Refreshing(_build_versions, published_articles_stamp, ttl=5.0)


def clear_cache() -> None:
    _versions.clear()
    grams.clear_cache()


@dataclass
class _Ranked:
    slug: str
    fused: float
    lex_rank: int | None = None
    lex_score: float = 0.0
    sem: float = 0.0
    sem_rank: int | None = None


def _rank(
    query: str, units: list[Unit], pool: int, features: Features
) -> tuple[list[_Ranked], object]:
    """Articles (slugs), best first, with the evidence for each; and the query's vector
    (None without semantic matching)."""
    embedding = semantic.embed_query_soon(query) if features.semantic else None
    rank = backends.rank_postgres if indexing.uses_postgres() else backends.rank_python
    lexical = rank(units, limit=pool, langs=list(LANGUAGES)) if units else []
    by_id, _ = _versions.get()
    found: dict[str, _Ranked] = {}
    for article_id, score in lexical:
        slug = by_id.get(article_id)
        if slug is None or slug in found:
            continue
        found[slug] = _Ranked(slug, 0.0, lex_rank=len(found), lex_score=score)
    vector = embedding.result() if embedding is not None else None
    if vector is not None:
        nearest, similarity = semantic.similarities(vector, top=pool)
        best: dict[str, float] = {}
        for article_id, sim in nearest:
            slug = by_id.get(article_id)
            if slug is not None and slug not in best:
                best[slug] = sim
        for position, (slug, sim) in enumerate(best.items()):
            entry = found.setdefault(slug, _Ranked(slug, 0.0))
            entry.sem, entry.sem_rank = sim, position
        _, by_slug = _versions.get()
        for entry in found.values():
            if entry.sem_rank is None:
                entry.sem = max(similarity(i) for i in by_slug.get(entry.slug, {}).values())
    for entry in found.values():
        if entry.lex_rank is not None:
            entry.fused += LEXICAL_WEIGHT / (RRF_K + entry.lex_rank + 1)
        if entry.sem_rank is not None and entry.sem >= semantic.MIN_SIMILARITY:
            entry.fused += 1.0 / (RRF_K + entry.sem_rank + 1)
    ranked = [entry for entry in found.values() if entry.fused > 0]
    ranked.sort(key=lambda entry: (-entry.fused, entry.slug))
    return ranked, vector


@dataclass
class Candidate:
    """An article the query may be about, with the evidence (signals) that do not depend
    on where it ends up in the list."""

    slug: str
    shown_id: int
    fused: float
    signals: dict[str, float]
    in_ui_lang: bool = True  # the article has a version in the UI language


def read(query: str, features: Features = ALL_FEATURES) -> str:
    """The query as the engine reads it: in Simplified Mandarin, slips read by sound."""
    query = cantonese.to_mandarin(traditional.to_simplified(query))
    if features.by_sound and settings.HELPCENTER_READ_BY_SOUND:
        query = spoken.corrected(homophones.corrected(query))
    return query


def candidates(
    query: str, *, lang: str, pool: int = RERANK_POOL, features: Features = ALL_FEATURES
) -> tuple[list[Candidate], list[Unit]]:
    """The `pool` best articles by fused rank, each with its order-free signals; and the
    query's units (for snippets)."""
    query = read(query, features)
    units = query_units(query, features)
    semantic_on = features.semantic and semantic.enabled()
    sentences = focus.parts(query) if semantic_on else []
    sentences_embedding = semantic.embed_query_soon(sentences) if sentences else None
    ranked, vector = _rank(query, units, pool * CANDIDATE_FACTOR, features)
    ranked = ranked[:pool]
    if not ranked:
        return [], units
    sentence_vectors = sentences_embedding.result() if sentences_embedding else None
    _, by_slug = _versions.get()
    query_lang = query_language(query)
    wanted = [i for entry in ranked for i in by_slug.get(entry.slug, {}).values()]
    rows = {
        row["id"]: row
        for row in Article.objects.filter(id__in=wanted).values(
            "id",
            "updated_at",
            "title",
            "tags",
            "body_text",
            "search_tokens_title",
            "search_tokens_keywords",
            "search_tokens_body",
        )
    }
    alternatives = _alternatives(query, features)
    top_possible = (LEXICAL_WEIGHT + (1.0 if semantic_on else 0.0)) / (RRF_K + 1)
    best_sem = max(entry.sem for entry in ranked)
    nearest_taught = semantic.taught_nearest(vector) if semantic_on else None
    sentence_focus = _SentenceFocus.of(sentence_vectors) if semantic_on else None
    found: list[Candidate] = []
    for entry in ranked:
        versions = by_slug.get(entry.slug, {})
        present = [rows[i] for i in versions.values() if i in rows]
        if not present:  # deleted meanwhile
            continue
        title_tokens = {
            t
            for row in present
            for t in (row["search_tokens_title"] + " " + row["search_tokens_keywords"]).split()
        }
        tokens = title_tokens | {t for row in present for t in row["search_tokens_body"].split()}
        signals = {
            "lex_rr": 1.0 / (1 + entry.lex_rank) if entry.lex_rank is not None else 0.0,
            "lex_score": math.log1p(100 * entry.lex_score),
            "coverage": _covered(alternatives, tokens),
            "title_coverage": _covered(alternatives, title_tokens),
            "n_tokens": math.log1p(len(alternatives)),
            "fused_rel": entry.fused / top_possible,
            "cross": float(query_lang != lang),
            "zh": float(query_lang == "zh-hans"),
        }
        signals.update(grams.signals(query, present))
        if semantic_on:
            signals.update(
                sem=entry.sem,
                sem_gap=entry.sem - best_sem,
                sem_rr=1.0 / (1 + entry.sem_rank) if entry.sem_rank is not None else 0.0,
                # e5 rates Chinese text more alike across the board: its own slope
                sem_zh=entry.sem * signals["zh"],
            )
            section = semantic.best_section(vector, versions.values())
            signals.update(sec=section, sec_zh=section * signals["zh"])
            signals.update(nearest_taught.signals(entry.slug))
            signals.update(_focus_signals(entry, versions.values(), signals, sentence_focus))
        shown = versions.get(lang) or versions.get(query_lang) or min(versions.values())
        found.append(Candidate(entry.slug, shown, entry.fused, signals, lang in versions))
    _relative_to_best(found, "gram_bm25", "gram_gap")
    if semantic_on:
        _margin_over_others(found, "sec", "sec_margin")
        _margin_over_others(found, "sec_focus", "sec_focus_margin")
    return found, units


@dataclass(frozen=True)
class _SentenceFocus:
    """A long question's sentences, each embedded on its own (focus.py): the articles'
    openings and taught questions nearest to any of them."""

    vectors: object  # one row per sentence, or None for a question of one sentence
    opening: object  # article version id -> its best similarity with any sentence
    taught: list

    @classmethod
    def of(cls, vectors) -> _SentenceFocus:
        if vectors is None:
            return cls(None, None, [])
        return cls(
            vectors,
            semantic.opening_similarity(vectors),
            [semantic.taught_nearest(row) for row in vectors],
        )


def _focus_signals(entry, version_ids, signals: dict, sentences: _SentenceFocus) -> dict:
    """The candidate's evidence from the query's best sentence, never below the whole
    query's (the same as it for a question of one sentence)."""
    if sentences.vectors is None:
        return {
            "sem_focus": signals["sem"],
            "sec_focus": signals["sec"],
            "asked_focus": signals["asked"],
        }
    return {
        "sem_focus": max([signals["sem"], *(sentences.opening(i) for i in version_ids)]),
        "sec_focus": max(signals["sec"], semantic.best_section(sentences.vectors, version_ids)),
        "asked_focus": max(
            [signals["asked"], *(n.signals(entry.slug)["asked"] for n in sentences.taught)]
        ),
    }


def _relative_to_best(found: list[Candidate], name: str, gap_name: str) -> None:
    """How far each candidate's `name` signal is from the best candidate's."""
    best = max((c.signals[name] for c in found), default=0.0)
    for c in found:
        c.signals[gap_name] = c.signals[name] - best


# A list with one candidate is not a sure one: every article left out of it was below
# semantic.MIN_SIMILARITY, so that is the best "other" a margin is measured from (with 0.0,
# "tell me a joke" had a margin of 0.8, forty times the usual, and a confidence of 1.00).
_UNLISTED_SIMILARITY = semantic.MIN_SIMILARITY


def _margin_over_others(found: list[Candidate], name: str, margin_name: str) -> None:
    """How far each candidate's `name` similarity is above the best of the others."""
    for c in found:
        others = [o.signals[name] for o in found if o is not c]
        c.signals[margin_name] = c.signals[name] - max(others, default=_UNLISTED_SIMILARITY)


def rerank(
    found: list[Candidate], *, semantic_on: bool, limit: int
) -> list[tuple[Candidate, float, dict[str, float]]]:
    """Order candidates by the fitted relevance model (articles the reader can have in the
    UI language first), then give each its confidence: (candidate, confidence, every
    signal), best first, at most `limit`."""
    ranker = confidence.RANKERS[confidence.mode(semantic_on)]
    scored = [(ranker.logit(c.signals), c) for c in found]
    scored.sort(key=lambda pair: (not pair[1].in_ui_lang, -pair[0], -pair[1].fused, pair[1].slug))
    result = []
    for position, (relevance, candidate) in enumerate(scored[:limit]):
        others = [other for other, c in scored if c is not candidate]
        signals = {
            **candidate.signals,
            "relevance": relevance,
            "relevance_margin": relevance - max(others, default=relevance - 5.0),
            "position": float(position),
        }
        if semantic_on:
            sems = [c.signals["sem"] for _, c in scored if c is not candidate]
            signals["sem_margin"] = candidate.signals["sem"] - max(
                sems, default=_UNLISTED_SIMILARITY
            )
            confidence.add_zh_slopes(signals)
            confidence.add_curves(signals)
        probability = confidence.probability(signals, semantic_on=semantic_on)
        result.append((candidate, probability, signals))
    return result


def search(
    query: str, *, lang: str, limit: int = 10, features: Features = ALL_FEATURES
) -> list[SearchHit]:
    """Best first, one version per article (the one in `lang` when there is one), each
    with its confidence. `query` must already be validated (length, language) by the caller.
    """
    semantic_on = features.semantic and semantic.enabled()
    found, units = candidates(query, lang=lang, pool=max(limit, RERANK_POOL), features=features)
    ordered = rerank(found, semantic_on=semantic_on, limit=limit)
    if not ordered:
        return []
    articles = Article.objects.only("id", "slug", "lang", "title", "body_text").in_bulk(
        [candidate.shown_id for candidate, _, _ in ordered]
    )
    hits: list[SearchHit] = []
    for candidate, probability, signals in ordered:
        article = articles.get(candidate.shown_id)
        if article is None:
            continue
        hits.append(
            SearchHit(
                article.id,
                article.slug,
                article.lang,
                article.title,
                snippets.snippet(article.body_text, units),
                round(candidate.fused, 6),
                round(probability, 4),
                signals,
            )
        )
    return hits
