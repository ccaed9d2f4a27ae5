"""Character bigrams: a second keyword signal that does not depend on word segmentation.

jieba splits "提不了币" and "提币" differently, so a Chinese question often shares no
whole token with the article that answers it while it shares most of its characters.
Here Chinese runs become overlapping character pairs ("提币没到账" -> 提币 币没 没到
到账) and Latin words their stems; each candidate article is then scored by BM25 over
its text and by how much of the query (weighted by rarity) its title and tags contain.
These are inputs of the fitted relevance and confidence models (confidence.py), not a
separate ranking. Document frequencies come from the whole published corpus, kept per
process and rebuilt when an article changes (like the other search caches).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from helpcenter.models import Article
from helpcenter.search import text
from helpcenter.search.cache import Refreshing, published_articles_stamp

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# BM25's usual constants.
K1 = 1.2
B = 0.75


def grams(raw: str) -> list[str]:
    """Character bigrams of the Chinese runs and stems of the Latin words, in order."""
    normalised = text.normalize(raw)
    out: list[str] = []
    position = 0
    for match in _CJK_RUN.finditer(normalised):
        out.extend(text.stem(w) for w in text.latin_words(normalised[position : match.start()]))
        run = match.group()
        out.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
        position = match.end()
    out.extend(text.stem(w) for w in text.latin_words(normalised[position:]))
    return out


def heading(article) -> str:
    return " ".join([article["title"], " ".join(article["tags"] or [])])


@dataclass(frozen=True)
class Corpus:
    documents: int
    average_length: float
    frequency: Counter  # gram -> number of article versions containing it

    def idf(self, gram: str) -> float:
        n = self.frequency.get(gram, 0)
        return math.log(1 + (self.documents - n + 0.5) / (n + 0.5))

    @property
    def unseen_idf(self) -> float:
        """The rarity of a gram no article has: the most any gram can weigh."""
        return math.log(1 + (self.documents + 0.5) / 0.5)


def _build() -> Corpus:
    frequency: Counter = Counter()
    total = documents = 0
    rows = Article.objects.filter(status=Article.Status.PUBLISHED).values(
        "title", "tags", "body_text"
    )
    for row in rows.iterator(chunk_size=2000):
        found = grams(heading(row) + " " + row["body_text"])
        frequency.update(set(found))
        total += len(found)
        documents += 1
    return Corpus(documents, total / max(1, documents), frequency)


_corpus = Refreshing(_build, published_articles_stamp, ttl=5.0)


def clear_cache() -> None:
    _corpus.clear()
    _profiles.clear()


# Per article version (id, updated_at): its title grams, body gram counts and length. A
# search scores about twenty versions and cutting their bodies into grams is most of the
# cost, so the profiles of recently seen versions are kept (bounded; oldest dropped).
PROFILES_KEPT = 4000
_profiles: dict[tuple, tuple[set[str], Counter, int]] = {}


def _profile(row: dict) -> tuple[set[str], Counter, int]:
    key = (row.get("id"), row.get("updated_at"))
    known = _profiles.get(key) if None not in key else None
    if known is not None:
        return known
    title = set(grams(heading(row)))
    body = Counter(grams(row["body_text"]))
    profile = (title, body, sum(body.values()) + len(title))
    if None not in key:
        if len(_profiles) >= PROFILES_KEPT:
            _profiles.pop(next(iter(_profiles)), None)
        _profiles[key] = profile
    return profile


def signals(query: str, versions: list[dict]) -> dict[str, float]:
    """For one article (its language versions: rows with title, tags, body_text and, to
    keep their profiles, id and updated_at): the
    best BM25 of its versions (log) and the rarity-weighted share of the query's grams
    found in a title/tags and anywhere in its text; the share found anywhere in the
    published corpus (`gram_known`, the same for every article); and the rarity of the
    rarest gram the help centre has but this article lacks (`gram_missing`, 0 to 1)."""
    wanted = list(dict.fromkeys(grams(query)))
    if not wanted or not versions:
        return {
            "gram_bm25": 0.0,
            "gram_title": 0.0,
            "gram_coverage": 0.0,
            "gram_known": 0.0,
            "gram_missing": 0.0,
        }
    corpus = _corpus.get()
    weights = {g: corpus.idf(g) for g in wanted}
    total_weight = sum(weights.values()) or 1.0
    known_weights = {g: w for g, w in weights.items() if g in corpus.frequency}
    # the same for every candidate: how much of the query the help centre has words for
    # at all ("mint an NFT": little; "face scan keeps failing": most, in some article)
    known = sum(known_weights.values()) / total_weight
    # "withdraw in bulk from a CSV": every word is in some article, but "csv" is not in
    # the withdrawal one; an article about the topic that lacks the question's most
    # specific word is about it without saying it (near misses asked in the articles'
    # own words). Scaled by the rarity of a word no article has.
    rarest = corpus.unseen_idf
    best_bm25 = best_title = best_cover = 0.0
    least_missing = 1.0
    for row in versions:
        title, body, length = _profile(row)
        bm25 = 0.0
        for gram, weight in weights.items():
            tf = body.get(gram, 0) + (3 if gram in title else 0)  # a title word counts more
            if tf:
                bm25 += (
                    weight
                    * tf
                    * (K1 + 1)
                    / (tf + K1 * (1 - B + B * length / max(1.0, corpus.average_length)))
                )
        best_bm25 = max(best_bm25, bm25)
        best_title = max(
            best_title, sum(w for g, w in weights.items() if g in title) / total_weight
        )
        best_cover = max(
            best_cover,
            sum(w for g, w in weights.items() if g in title or g in body) / total_weight,
        )
        missing = [w for g, w in known_weights.items() if g not in title and g not in body]
        least_missing = min(least_missing, max(missing, default=0.0) / rarest)
    return {
        "gram_bm25": math.log1p(best_bm25),
        "gram_title": best_title,
        "gram_coverage": best_cover,
        "gram_known": known,
        "gram_missing": least_missing,
    }
