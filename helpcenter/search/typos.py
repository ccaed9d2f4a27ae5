"""Typo tolerance: a query word close to a word of the articles also searches for that word.

Title and tag words first (a query word close to one is read as it, unless it is a title
word itself). A word no article holds at all (not even in a body) is then compared with
the body's words that several articles share, by stem: "recieve" → receiv, "adress" →
address. Words only one article's body holds are left out, so a slip is not read as a
rare word.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from helpcenter.models import Article
from helpcenter.search import text
from helpcenter.search.cache import Refreshing, published_articles_stamp


@dataclass(frozen=True)
class Vocabulary:
    title_stems: frozenset[str]
    title_words: list[str]  # unstemmed, sorted
    index_stems: frozenset[str]  # every Latin stem of every published article's index
    body_stems: list[str]  # stems that at least BODY_MIN_ARTICLES articles hold, sorted


# A body word is a correction only when this many articles hold it.
BODY_MIN_ARTICLES = 3


def _build() -> Vocabulary:
    words: set[str] = set()
    holding: Counter = Counter()  # stem -> how many articles' index holds it
    published = Article.objects.filter(status=Article.Status.PUBLISHED).values_list(
        "title", "tags", "search_tokens_title", "search_tokens_keywords", "search_tokens_body"
    )
    for title, tags, *indexed in published.iterator(chunk_size=2000):
        words.update(text.latin_words(text.normalize(title)))
        for tag in tags if isinstance(tags, list) else []:
            words.update(text.latin_words(text.normalize(str(tag))))
        holding.update({t for field in indexed for t in field.split() if _LATIN_STEM.fullmatch(t)})
    words = {w for w in words if len(w) >= 3 and not w.isdigit()}
    body = sorted(
        stem
        for stem, articles in holding.items()
        if articles >= BODY_MIN_ARTICLES and len(stem) >= 4 and not stem.isdigit()
    )
    return Vocabulary(
        frozenset(text.stem(w) for w in words), sorted(words), frozenset(holding), body
    )


_LATIN_STEM = re.compile(r"[a-z0-9]+")
_vocabulary = Refreshing(_build, published_articles_stamp, ttl=60.0)


def clear_cache() -> None:
    _vocabulary.clear()


def _allowed_edits(word: str) -> int:
    # Short words have many neighbours: one edit from 4 letters, two from 7.
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


@functools.cache
def _dictionary() -> frozenset[str]:
    """English words (pyspellchecker's list, offline): a word of English is no slip, even
    where the articles do not use it ("fine" is not a slip of "file")."""
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.dictionary)


def _english(word: str) -> bool:
    """A word of English, also as typed without its apostrophe (thats, couldnt) or split
    at it (hasn of hasn't)."""
    words = _dictionary()
    return (
        word in words
        or f"{word}'t" in words
        or (word.endswith("nt") and f"{word[:-2]}n't" in words)
        or (word.endswith("s") and f"{word[:-1]}'s" in words)
    )


def _closest(word: str, candidates: list[str], edits: int) -> str | None:
    if not candidates:
        return None
    match = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=edits)
    return match[0] if match is not None else None


def correction_pairs(query: str) -> list[tuple[str, str]]:
    """(stem of an unknown Latin word of the query, stem of the word of the articles it was
    probably meant to be)."""
    vocabulary = _vocabulary.get()
    found: list[tuple[str, str]] = []
    for word in text.latin_words(text.normalize(query)):
        edits, stem = _allowed_edits(word), text.stem(word)
        if not edits or stem in vocabulary.title_stems:
            continue
        title_word = _closest(word, vocabulary.title_words, edits)
        if title_word is not None:
            found.append((stem, text.stem(title_word)))
        elif stem not in vocabulary.index_stems and not _english(word):
            body_stem = _closest(stem, vocabulary.body_stems, _allowed_edits(stem))
            # A slip keeps the first letter (recieve, adress); "lakers" is no "maker".
            if body_stem is not None and body_stem[0] == stem[0]:
                found.append((stem, body_stem))
    return found


def is_title_word(word: str) -> bool:
    """Whether a Latin word (any form) is a word of the articles' titles or tags."""
    return text.stem(word) in _vocabulary.get().title_stems


def is_article_word(word: str) -> bool:
    """Whether a Latin word (any form) is in any published article's index."""
    return text.stem(word) in _vocabulary.get().index_stems


def closest_title_word(word: str) -> str | None:
    """The title or tag word `word` is, or is a slip of (unstemmed), if any."""
    return _closest(word, _vocabulary.get().title_words, _allowed_edits(word))


def corrections(query: str) -> list[str]:
    """Stems of the articles' words that the query's unknown Latin words were probably meant to be."""
    return [corrected for _, corrected in correction_pairs(query)]
