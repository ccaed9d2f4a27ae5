"""Answer candidates from the help centre, each with how sure the bot may be of it.

The search's own scores rank but do not measure: with semantic matching on they are
reciprocal-rank fusion values, which say where an article came, not whether it answers
anything (the best article for "tell me a joke" still comes first). So the bot measures
each candidate itself:

- semantic matching on (the default): the cosine similarity between the question and
  the article version (multilingual-e5-small). It separates answerable from
  unanswerable questions far better than keyword scores (bench/bot_quality.py);
- semantic matching off (tests, `BEACON_SEMANTIC_SEARCH=0`): the keyword rank.

A candidate is an answer when its measure reaches the language's threshold. The
thresholds come from bench/bot_quality.py (its sweep prints the best ones), not from
looking at single questions; e5 scores Chinese text higher across the board, hence one
threshold per language.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.urls import reverse

from helpcenter import selectors

# Cosine similarity of question and article (semantic matching on); from the benchmark.
SEMANTIC_THRESHOLDS = {"en": 0.8406, "zh-hans": 0.8827}
# ts_rank of the keyword search (semantic matching off); from the benchmark's --no-semantic run.
KEYWORD_THRESHOLDS = {"en": 0.033, "zh-hans": 0.0215}
MAX_ANSWERS = 3
CANDIDATES = 5
SNIPPET_CHARS = 160
# Neighbours to ask the semantic index for; enough to cover every candidate.
NEIGHBOURS = 40

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Candidate:
    article_id: int
    slug: str
    lang: str
    title: str
    url: str
    snippet: str
    measure: float  # cosine similarity, or keyword rank when semantic matching is off

    def as_data(self) -> dict:
        return {"title": self.title, "url": self.url, "snippet": self.snippet}


def semantic_on() -> bool:
    return selectors.semantic_search_enabled()


def _similarities(query: str) -> dict[int, float]:
    return selectors.article_similarities(query=query, limit=NEIGHBOURS)


def _plain(snippet_html: str) -> str:
    """The search snippet is HTML with <mark>s; the chat shows text."""
    text = html.unescape(_TAG.sub("", snippet_html)).strip()
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rstrip() + "…"


def article_url(slug: str, lang: str) -> str:
    return f"{reverse('helpcenter:article', args=[slug])}?lang={lang}"


def candidates(query: str, lang: str) -> list[Candidate]:
    """Help-centre articles for `query`, best first, each with its measure."""
    query = query[: selectors.MAX_QUERY_CHARS]
    hits = selectors.article_search(query=query, lang=lang, limit=CANDIDATES)
    if not hits:
        return []
    similarity = _similarities(query) if semantic_on() else None
    return [
        Candidate(
            article_id=hit.article_id,
            slug=hit.slug,
            lang=hit.lang,
            title=hit.title,
            url=article_url(hit.slug, hit.lang),
            snippet=_plain(hit.snippet),
            measure=similarity.get(hit.article_id, 0.0) if similarity is not None else hit.score,
        )
        for hit in hits
    ]


def threshold_for(lang: str, semantic: bool) -> float:
    table = SEMANTIC_THRESHOLDS if semantic else KEYWORD_THRESHOLDS
    return table.get(lang, table["en"])


def confident(found: list[Candidate], threshold: float) -> list[Candidate]:
    """Up to MAX_ANSWERS candidates at or above `threshold`; none unless the best one is."""
    if not found or found[0].measure < threshold:
        return []
    return [candidate for candidate in found[:MAX_ANSWERS] if candidate.measure >= threshold]


def answers(query: str, lang: str) -> list[Candidate]:
    """What the bot may offer for `query`: [] means it is not confident."""
    lang = lang if lang in selectors.LANGUAGES else "en"
    return confident(candidates(query, lang), threshold_for(lang, semantic_on()))
