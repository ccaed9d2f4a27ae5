"""Typo tolerance on titles: a query word close to a title word also searches for that word."""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import OSA

from helpcenter.models import Article
from helpcenter.search import text
from helpcenter.search.cache import Refreshing, published_articles_stamp


def _build() -> tuple[frozenset[str], list[str]]:
    """(stems known from titles and tags, the distinct unstemmed title/tag words)."""
    words: set[str] = set()
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    for title, tags in published.values_list("title", "tags").iterator(chunk_size=2000):
        words.update(text.latin_words(text.normalize(title)))
        for tag in tags if isinstance(tags, list) else []:
            words.update(text.latin_words(text.normalize(str(tag))))
    words = {w for w in words if len(w) >= 3 and not w.isdigit()}
    return frozenset(text.stem(w) for w in words), sorted(words)


_vocabulary = Refreshing(_build, published_articles_stamp, ttl=60.0)


def clear_cache() -> None:
    _vocabulary.clear()


def _allowed_edits(word: str) -> int:
    # Short words have many neighbours: one edit from 4 letters, two from 7.
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


def correction_pairs(query: str) -> list[tuple[str, str]]:
    """(stem of an unknown Latin word of the query, stem of the title word it was probably meant to be)."""
    known_stems, title_words = _vocabulary.get()
    found: list[tuple[str, str]] = []
    for word in text.latin_words(text.normalize(query)):
        edits = _allowed_edits(word)
        if not edits or text.stem(word) in known_stems or not title_words:
            continue
        match = process.extractOne(word, title_words, scorer=OSA.distance, score_cutoff=edits)
        if match is not None:
            found.append((text.stem(word), text.stem(match[0])))
    return found


def is_title_word(word: str) -> bool:
    """Whether a Latin word (any form) is a word of the articles' titles or tags."""
    known_stems, _ = _vocabulary.get()
    return text.stem(word) in known_stems


def closest_title_word(word: str) -> str | None:
    """The title or tag word `word` is, or is a slip of (unstemmed), if any."""
    _, title_words = _vocabulary.get()
    if not title_words:
        return None
    edits = _allowed_edits(word)
    match = process.extractOne(word, title_words, scorer=OSA.distance, score_cutoff=edits)
    return match[0] if match is not None else None


def corrections(query: str) -> list[str]:
    """Stems of title words that the query's unknown Latin words were probably meant to be."""
    return [corrected for _, corrected in correction_pairs(query)]
