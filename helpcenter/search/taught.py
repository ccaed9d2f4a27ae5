"""Questions customers asked that an editor filed under the article answering them.

A help centre learns its customers' words from the questions it has answered: "face scan
keeps failing" filed under the identity-verification article is evidence for the next
customer who writes "人脸识别一直不通过", which no keyword and no passage of the article
may match. Each article version keeps its taught questions (`Article.questions`, written
by an editor in the article form or the file's front matter `questions:`); the worker
embeds them with e5's query prefix beside the article's passages, and each process keeps
them as one matrix (semantic.py), so a search costs one more matrix product.

The evidence for a candidate article is the nearest of its taught questions (`asked`, a
cosine similarity), how far that is above the nearest question taught for any other
article (`asked_margin`: a near question filed under two articles is no vote), and
whether the article has any taught question (`asked_none`: an article nobody taught is
not evidence against it). The confidence models weigh them (confidence.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

# At most this many taught questions per article version, each at most this long: the
# form and the importer say so rather than cut silently.
MAX_QUESTIONS = 100
MAX_QUESTION_CHARS = 200
# With no other article taught, the nearest "other" question is taken at the floor below
# which a semantic neighbour is not evidence (semantic.MIN_SIMILARITY).
UNTAUGHT_SIMILARITY = 0.80


@dataclass(frozen=True)
class Rows:
    """The taught questions' vectors, grouped by article: slugs[k]'s rows are
    matrix[starts[k]:starts[k + 1]]; index maps a slug to k."""

    matrix: np.ndarray
    starts: np.ndarray
    slugs: list[str]
    index: dict[str, int]

    @classmethod
    def of(cls, groups: dict[str, np.ndarray], dimensions: int) -> Rows:
        slugs = [slug for slug, vectors in groups.items() if len(vectors)]
        sizes = [len(groups[slug]) for slug in slugs]
        matrix = (
            np.vstack([groups[slug] for slug in slugs]).astype(np.float32)
            if slugs
            else np.zeros((0, dimensions), np.float32)
        )
        starts = np.cumsum([0, *sizes[:-1]]).astype(np.int64)
        return cls(matrix, starts, slugs, {slug: k for k, slug in enumerate(slugs)})

    def nearest(self, vector, mask=None) -> Nearest:
        """Each article's nearest taught question to `vector` (rows where `mask` is False
        left out: the benchmark hides a question's own writer)."""
        if not self.slugs:
            return Nearest(np.zeros(0), {}, None, UNTAUGHT_SIMILARITY, UNTAUGHT_SIMILARITY)
        similarities = self.matrix @ np.asarray(vector, dtype=np.float32)
        if mask is not None:
            similarities = np.where(mask, similarities, -np.inf)
        best = np.maximum.reduceat(similarities, self.starts)
        order = np.argsort(-best)[:2]
        values = [float(best[k]) for k in order if np.isfinite(best[k])]
        first = int(order[0]) if values else None
        return Nearest(
            best,
            self.index,
            first,
            values[0] if values else UNTAUGHT_SIMILARITY,
            values[1] if len(values) > 1 else UNTAUGHT_SIMILARITY,
        )


@dataclass(frozen=True)
class Nearest:
    """For one query: the best taught-question similarity of each article, and the two best."""

    best: np.ndarray
    index: dict[str, int]
    first: int | None
    first_value: float
    second_value: float

    def signals(self, slug: str) -> dict[str, float]:
        k = self.index.get(slug)
        own = float(self.best[k]) if k is not None else -math.inf
        if not math.isfinite(own):
            return {"asked": 0.0, "asked_margin": 0.0, "asked_none": 1.0}
        other = self.second_value if k == self.first else self.first_value
        return {"asked": own, "asked_margin": own - other, "asked_none": 0.0}


def clean_questions(values: object) -> list[str]:
    """Taught questions as stored: stripped, one line each, no repeats, no empty ones.
    Raises ValueError with a message for the editor on anything else."""
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = values.splitlines()
    if not isinstance(values, list):
        raise ValueError(_("Questions must be a list of lines of text."))
    cleaned = []
    for value in values:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ValueError(_("Each question must be a line of text."))
        question = " ".join(str(value).split())
        if len(question) > MAX_QUESTION_CHARS:
            raise ValueError(
                _("A question is longer than %(n)d characters.") % {"n": MAX_QUESTION_CHARS}
            )
        if question and question not in cleaned:
            cleaned.append(question)
    if len(cleaned) > MAX_QUESTIONS:
        raise ValueError(_("More than %(n)d questions.") % {"n": MAX_QUESTIONS})
    return cleaned
