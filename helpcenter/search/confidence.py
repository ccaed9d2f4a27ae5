"""Search's relevance order and how sure it may be of each hit: two small fitted models.

A cosine similarity or a rank is not a confidence: e5 scores Chinese text higher across
the board, a keyword hit on one common word looks like a hit on all of them, and the best
article for "tell me a joke" still comes first. So the engine (`engine.py`) asks two
logistic regressions:

1. RANKERS: the relevance of each candidate article (the fused keyword + semantic
   list's best ten), from signals that do not depend on the order: its keyword rank
   (as 1/(1+rank)) and ts_rank (log), how much of the query its text and its title/tags
   cover (synonyms and typo corrections count), its cosine similarity with the query
   (multilingual-e5-small, the best of its language versions), the gap to the best
   similarity, its semantic rank, the fused score, the query's length and script
   (Chinese or Latin) and whether that differs from the UI's. Candidates are listed by
   this relevance (articles with a version in the UI language first).
2. MODELS: the probability that a support expert would accept the hit at a place of
   that list: its relevance, the margin of its relevance over the best other
   candidate's, coverage, place, language, similarity and its margin over the next.

Two of each, because tests and `BEACON_SEMANTIC_SEARCH=0` run without the semantic
signals: `semantic` and `keyword`. Weights and thresholds below are written by
`bench/fit_confidence.py --write`, fitted on the fitting half of
`bench/fresh_queries.yaml` and the project's own question sets, and judged on the
held-out half (bench/README.md); rerun it when the corpus or the engine changes.

Thresholds on the probability:
- BOT_THRESHOLD: the bot answers only above it, otherwise it offers a person;
- SEARCH_THRESHOLD: below it search shows "no good match" instead of weak results
  (lower than the bot's: a list of results costs less than a wrong answer in a chat).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Model:
    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def logit(self, signals: dict[str, float]) -> float:
        z = self.bias
        for name, mean, scale, weight in zip(
            self.features, self.means, self.scales, self.weights, strict=True
        ):
            z += weight * (signals.get(name, 0.0) - mean) / scale
        return max(-30.0, min(30.0, z))

    def probability(self, signals: dict[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-self.logit(signals)))


# The relevance model orders the candidates (signals that do not depend on the order)...
RANK_KEYWORD_FEATURES = (
    "lex_rr",
    "lex_score",
    "coverage",
    "title_coverage",
    "n_tokens",
    "fused_rel",
    "cross",
    "zh",
)
RANK_SEMANTIC_FEATURES = RANK_KEYWORD_FEATURES + ("sem", "sem_gap", "sem_rr")
# ...and the confidence model judges each place of the ordered list.
KEYWORD_FEATURES = (
    "relevance",
    "relevance_margin",
    "coverage",
    "title_coverage",
    "n_tokens",
    "position",
    "cross",
    "zh",
)
SEMANTIC_FEATURES = KEYWORD_FEATURES + ("sem", "sem_margin", "sem_rr")

# ---- fitted by bench/fit_confidence.py (begin)
RANKERS = {
    "keyword": Model(
        features=RANK_KEYWORD_FEATURES,
        means=(0.2972, 0.9296, 0.5078, 0.2529, 1.6985, 0.8362, 0.0329, 0.517),
        scales=(0.2655, 0.397, 0.2459, 0.2216, 0.3143, 0.0955, 0.1783, 0.4997),
        weights=(1.3674, 0.1704, 0.4523, 0.7634, 0.4834, -0.0124, -0.1375, 0.0759),
        bias=-3.7437,
    ),
    "semantic": Model(
        features=RANK_SEMANTIC_FEATURES,
        means=(
            0.2729,
            0.8642,
            0.4949,
            0.2344,
            1.6878,
            0.7618,
            0.0338,
            0.5226,
            0.8561,
            -0.037,
            0.2516,
        ),
        scales=(
            0.274,
            0.4385,
            0.2546,
            0.2284,
            0.3197,
            0.1422,
            0.1807,
            0.4995,
            0.03,
            0.0254,
            0.2801,
        ),
        weights=(
            0.8668,
            0.2369,
            0.3492,
            0.3671,
            0.2059,
            -0.3391,
            -0.1197,
            0.006,
            -0.1726,
            1.5868,
            0.9666,
        ),
        bias=-4.5158,
    ),
}
MODELS = {
    "keyword": Model(
        features=KEYWORD_FEATURES,
        means=(-1.3247, -1.6208, 0.606, 0.4158, 1.6774, 0.9917, 0.0303, 0.5186),
        scales=(2.3969, 4.0904, 0.2532, 0.2564, 0.3164, 0.8165, 0.1714, 0.4997),
        weights=(-0.9693, 3.0103, 1.0132, 0.9925, 0.8778, 0.2914, -0.1219, -0.0019),
        bias=-1.6479,
    ),
    "semantic": Model(
        features=SEMANTIC_FEATURES,
        means=(
            -1.4738,
            -2.1047,
            0.5737,
            0.3678,
            1.6681,
            0.9987,
            0.0303,
            0.5232,
            0.8703,
            -0.0106,
            0.5433,
        ),
        scales=(
            3.1938,
            5.8101,
            0.2812,
            0.283,
            0.3224,
            0.8165,
            0.1714,
            0.4995,
            0.0305,
            0.0362,
            0.338,
        ),
        weights=(
            0.2635,
            2.6986,
            0.6763,
            0.369,
            0.3819,
            0.1569,
            -0.0685,
            -0.2429,
            0.586,
            -0.0229,
            0.1005,
        ),
        bias=-1.6733,
    ),
}
BOT_THRESHOLD = {"keyword": 0.47, "semantic": 0.5}
SEARCH_THRESHOLD = {"keyword": 0.23, "semantic": 0.26}
# ---- fitted by bench/fit_confidence.py (end)


def mode(semantic_on: bool) -> str:
    return "semantic" if semantic_on else "keyword"


def relevance(signals: dict[str, float], *, semantic_on: bool) -> float:
    return RANKERS[mode(semantic_on)].logit(signals)


def probability(signals: dict[str, float], *, semantic_on: bool) -> float:
    return MODELS[mode(semantic_on)].probability(signals)
