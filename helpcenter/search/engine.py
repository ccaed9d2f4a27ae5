"""From a query string to ranked, de-duplicated hits with snippets."""

from __future__ import annotations

from dataclasses import dataclass

from helpcenter.models import Article
from helpcenter.search import backends, indexing, semantic, snippets, synonyms, text, typos
from helpcenter.search.synonyms import Unit

LANGUAGES = ("en", "zh-hans")
# Rank this many candidates before de-duplicating translations and cutting to `limit`.
CANDIDATE_FACTOR = 4


@dataclass(frozen=True)
class Features:
    """What the engine may use beyond plain keywords; benchmarks switch them off for a baseline."""

    synonyms: bool = True
    typos: bool = True
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


def query_units(query: str, features: Features = ALL_FEATURES) -> list[Unit]:
    """The query's tokens, their synonyms and likely corrections of misspelt title words."""
    query_tokens = text.tokens(query)
    if features.typos:
        query_tokens += [stem for stem in typos.corrections(query) if stem not in query_tokens]
    groups = synonyms.groups() if features.synonyms else []
    return synonyms.expand(query_tokens, groups)


def _ranked(
    query: str, lang: str, units: list[Unit], limit: int, features: Features
) -> list[tuple[int, float]]:
    """Keyword candidates in `lang` first; other languages only fill what is left.

    Results in the query's language are listed first anyway, so scanning the others
    only when `lang` runs short halves the work for most queries.
    """
    embedding = semantic.embed_query_soon(query) if features.semantic else None
    rank = backends.rank_postgres if indexing.uses_postgres() else backends.rank_python
    lexical = rank(units, limit=limit, langs=[lang]) if units else []
    if units and len(lexical) < limit:
        others = [other for other in LANGUAGES if other != lang]
        lexical += rank(units, limit=limit - len(lexical), langs=others)
    return semantic.blend(embedding, lexical, limit=limit)


def search(
    query: str, *, lang: str, limit: int = 10, features: Features = ALL_FEATURES
) -> list[SearchHit]:
    """Best first; articles in `lang` before others; one version per article.

    `query` must already be validated (length, language) by the caller.
    """
    units = query_units(query, features)
    ranked = _ranked(query, lang, units, limit * CANDIDATE_FACTOR, features)
    if not ranked:
        return []
    scores = dict(ranked)
    articles = Article.objects.filter(id__in=scores).only(
        "id", "slug", "lang", "title", "body_text"
    )
    ordered = sorted(articles, key=lambda a: (a.lang != lang, -scores[a.id], a.id))
    hits: list[SearchHit] = []
    seen: set[str] = set()
    for article in ordered:
        if article.slug in seen:
            continue
        seen.add(article.slug)
        excerpt = snippets.snippet(article.body_text, units)
        hits.append(
            SearchHit(
                article.id,
                article.slug,
                article.lang,
                article.title,
                excerpt,
                round(scores[article.id], 6),
            )
        )
        if len(hits) == limit:
            break
    return hits
