"""Synonym groups from the admin, applied to the query (never to the index)."""

from __future__ import annotations

from django.db.models import Count, Max

from helpcenter.models import SearchSynonym
from helpcenter.search import text
from helpcenter.search.cache import Refreshing

# A query "unit" is a group of tokens that must all match (a one-word unit is one token).
Unit = tuple[str, ...]


def _build() -> list[list[Unit]]:
    groups: list[list[Unit]] = []
    for synonym in SearchSynonym.objects.all():
        terms = synonym.term_list()
        text.add_words(terms)
        units = [tuple(text.tokens(term)) for term in terms]
        groups.append([unit for unit in units if unit])
    return [group for group in groups if len(group) > 1]


def _stamp() -> object:
    return SearchSynonym.objects.aggregate(n=Count("id"), last=Max("updated_at"))


_groups = Refreshing(_build, _stamp, ttl=30.0)


def groups() -> list[list[Unit]]:
    return _groups.get()


def clear_cache() -> None:
    _groups.clear()


def _contains(haystack: list[str], needle: Unit) -> bool:
    width = len(needle)
    return any(tuple(haystack[i : i + width]) == needle for i in range(len(haystack) - width + 1))


def expand(query_tokens: list[str], synonym_groups: list[list[Unit]]) -> list[Unit]:
    """The query's own tokens, plus every synonym of a term the query contains.

    A multi-word term found in the query ("cash out") stands as one unit: its words no
    longer count on their own, so "cash" alone does not pull in cash-voucher articles.
    """
    expansions: list[Unit] = []
    phrase_words: set[str] = set()
    for group in synonym_groups:
        matched = [term for term in group if _contains(query_tokens, term)]
        if matched:
            expansions.extend(group)
            phrase_words.update(word for term in matched if len(term) > 1 for word in term)
    own = [(token,) for token in dict.fromkeys(query_tokens) if token not in phrase_words]
    return list(dict.fromkeys(own + expansions))
