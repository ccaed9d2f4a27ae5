"""Ranking: PostgreSQL full-text search over the GIN-indexed vector, or Python on SQLite.

Both take the same query units and return (article id, score) pairs, best first.
"""

from __future__ import annotations

import math

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, F, Max

from helpcenter.models import Article
from helpcenter.search.cache import Refreshing
from helpcenter.search.synonyms import Unit

# ts_rank weights for D, C, B, A: a title hit counts five times a body hit.
WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# Divide by 1 + log(length): long articles do not win just by being long.
LENGTH_NORMALISATION = 1


def _lexeme(token: str) -> str:
    return "'" + token.replace("'", "''").replace("\\", "") + "'"


def tsquery(units: list[Unit], prefix_last: bool = False) -> str:
    """OR of the units; a multi-word unit is an AND group. Tokens are quoted lexemes."""
    parts = []
    for index, unit in enumerate(units):
        lexemes = [_lexeme(token) for token in unit]
        if prefix_last and index == len(units) - 1 and len(unit) == 1 and unit[0].isascii():
            lexemes = [lexemes[0] + ":*"]
        parts.append(lexemes[0] if len(lexemes) == 1 else "(" + " & ".join(lexemes) + ")")
    return " | ".join(parts)


def _published():
    return Article.objects.filter(status=Article.Status.PUBLISHED)


def rank_postgres(units: list[Unit], *, limit: int, langs: list[str]) -> list[tuple[int, float]]:
    query = SearchQuery(tsquery(units), search_type="raw", config="simple")
    rank = SearchRank(
        F("search_vector"), query, weights=WEIGHTS, normalization=LENGTH_NORMALISATION
    )
    rows = (
        _published()
        .filter(search_vector=query, lang__in=langs)
        .annotate(rank=rank)
        .order_by("-rank", "id")
        .values_list("id", "rank")[:limit]
    )
    return [(article_id, float(score)) for article_id, score in rows]


# ---------------------------------------------------------------- SQLite fallback


def _build_documents() -> list[tuple[int, str, dict[str, list[str]]]]:
    rows = _published().values_list(
        "id", "lang", "search_tokens_title", "search_tokens_keywords", "search_tokens_body"
    )
    return [
        (article_id, lang, {"A": title.split(), "B": keywords.split(), "C": body.split()})
        for article_id, lang, title, keywords, body in rows
    ]


def _stamp() -> object:
    return _published().aggregate(n=Count("id"), last=Max("updated_at"))


_documents = Refreshing(_build_documents, _stamp, ttl=5.0)


def clear_cache() -> None:
    _documents.clear()


def _unit_hits(unit: Unit, fields: dict[str, list[str]]) -> dict[str, int]:
    hits = {}
    for weight, field_tokens in fields.items():
        counts = [field_tokens.count(token) for token in unit]
        hits[weight] = min(counts) if counts else 0
    return hits


def rank_python(units: list[Unit], *, limit: int, langs: list[str]) -> list[tuple[int, float]]:
    """The same idea as ts_rank (weighted, length-normalised), for the embedded SQLite default."""
    weight_of = {"A": WEIGHTS[3], "B": WEIGHTS[2], "C": WEIGHTS[1]}
    scored = []
    for article_id, lang, fields in _documents.get():
        if lang not in langs:
            continue
        score = 0.0
        for unit in units:
            for weight, count in _unit_hits(unit, fields).items():
                score += weight_of[weight] * math.log1p(count)
        if score > 0:
            length = sum(len(tokens) for tokens in fields.values())
            scored.append((article_id, score / (1 + math.log1p(length))))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:limit]
