"""Answer candidates from the help centre, each with how sure the bot may be of it.

The measure is the search's calibrated confidence (helpcenter/search/confidence.py): the
probability, from a small logistic regression over keyword and character-bigram
evidence, semantic similarity, the margin to the next article, how much of the question
the article covers and the question's language, that a support expert would accept the
article. It is fitted on every question set but the newest judge set, its bars picked
by cross-validation with a margin inside the aims, and judged on that set
(bench/fit_confidence.py, bench/bot_quality.py, bench/README.md). The bot answers when
its first candidate's confidence reaches the bot's bar for the chat's language
(`selectors.bot_threshold(lang)`), with the next two when they reach the lower companion
bar; below the bar it offers a person.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.urls import reverse

from helpcenter import selectors

MAX_ANSWERS = 3
CANDIDATES = 5
SNIPPET_CHARS = 160

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Candidate:
    article_id: int
    slug: str
    lang: str
    title: str
    url: str
    snippet: str
    measure: float  # calibrated confidence, 0..1

    def as_data(self) -> dict:
        return {"title": self.title, "url": self.url, "snippet": self.snippet}


def semantic_on() -> bool:
    return selectors.semantic_search_enabled()


def _plain(snippet_html: str) -> str:
    """The search snippet is HTML with <mark>s; the chat shows text."""
    text = html.unescape(_TAG.sub("", snippet_html)).strip()
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rstrip() + "…"


def article_url(slug: str, lang: str) -> str:
    return f"{reverse('helpcenter:article', args=[slug])}?lang={lang}"


def candidates(query: str, lang: str) -> list[Candidate]:
    """Help-centre articles for `query`, best first, each with its measure."""
    query = query[: selectors.MAX_QUERY_CHARS]
    hits = selectors.article_candidates(query=query, lang=lang, limit=CANDIDATES)
    return [
        Candidate(
            article_id=hit.article_id,
            slug=hit.slug,
            lang=hit.lang,
            title=hit.title,
            url=article_url(hit.slug, hit.lang),
            snippet=_plain(hit.snippet),
            measure=hit.confidence,
        )
        for hit in hits
    ]


def threshold_for(lang: str, semantic: bool) -> float:
    """The bot's bar on the confidence in a chat in `lang` (one per UI language)."""
    return selectors.bot_threshold(lang, semantic=semantic)


def companion_threshold(lang: str, semantic: bool) -> float:
    """The lower bar for the second and third answers, once the first is confident."""
    from helpcenter.search import confidence

    return confidence.bot_companion_threshold(lang, semantic_on=semantic)


def confident(
    found: list[Candidate], threshold: float, companion: float | None = None
) -> list[Candidate]:
    """None unless the first candidate reaches `threshold` (a chat answer must be the
    best the help centre has, not a runner-up); then it and the next candidates that
    reach `companion` (default: `threshold`), up to MAX_ANSWERS."""
    if not found or found[0].measure < threshold:
        return []
    bar = threshold if companion is None else min(companion, threshold)
    return [found[0]] + [c for c in found[1:MAX_ANSWERS] if c.measure >= bar]


def answers(query: str, lang: str) -> list[Candidate]:
    """What the bot may offer for `query`: [] means it is not confident."""
    lang = lang if lang in selectors.LANGUAGES else "en"
    semantic = semantic_on()
    return confident(
        candidates(query, lang),
        threshold_for(lang, semantic),
        companion_threshold(lang, semantic),
    )
