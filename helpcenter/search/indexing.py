"""Keep an article's stored search tokens (and, on PostgreSQL, its tsvector) current."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db import connection

from helpcenter.models import Article
from helpcenter.search import text


def _field_text(article: Article, field: str) -> str:
    value = getattr(article, field)
    if field == "tags":
        return " ".join(str(tag) for tag in value or [])
    return value or ""


def fill_tokens(article: Article) -> None:
    """Set the token columns from Article.SEARCH_FIELDS; the caller saves."""
    by_weight: dict[str, list[str]] = {"A": [], "B": [], "C": []}
    for field, weight in Article.SEARCH_FIELDS.items():
        by_weight[weight].append(text.token_string(_field_text(article, field)))
    article.search_tokens_title = " ".join(by_weight["A"])
    article.search_tokens_keywords = " ".join(by_weight["B"])
    article.search_tokens_body = " ".join(by_weight["C"])


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def refresh_vectors(article_ids: Iterable[int]) -> None:
    """Rebuild the tsvector from the token columns; a no-op on SQLite, which has none."""
    ids = list(article_ids)
    if not ids or not uses_postgres():
        return
    vector = (
        SearchVector("search_tokens_title", weight="A", config="simple")
        + SearchVector("search_tokens_keywords", weight="B", config="simple")
        + SearchVector("search_tokens_body", weight="C", config="simple")
    )
    Article.objects.filter(id__in=ids).update(search_vector=vector)
