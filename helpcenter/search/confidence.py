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
   (Chinese or Latin) and whether that differs from the UI's, and the same keyword
   evidence over character bigrams (grams.py: BM25, title and text coverage, gap to the
   best candidate), which does not depend on how jieba segments. Candidates are listed by
   this relevance (articles with a version in the UI language first).
2. MODELS: the probability that a support expert would accept the hit at a place of
   that list: its relevance, the margin of its relevance over the best other
   candidate's, coverage (tokens and bigrams), place, language, similarity and its
   margin over the next.

Two of each, because tests and `BEACON_SEMANTIC_SEARCH=0` run without the semantic
signals: `semantic` and `keyword`. Weights and thresholds below are written by
`bench/fit_confidence.py --write`, fitted on every question set but the two judge
sets (`bench/fresh_queries.yaml` both halves, the project's own sets and
`bench/unanswerable_queries.yaml`), with the thresholds picked on 5-fold
cross-validation, and judged on `bench/judge_queries.yaml` and
`bench/judge2_queries.yaml`, each committed before any result on it was seen
(bench/README.md); rerun it when the corpus or the engine changes.

Thresholds on the probability:
- BOT_THRESHOLD: the bot answers only when its first article reaches it, otherwise it
  offers a person;
- BOT_COMPANION_THRESHOLD: once the first article is confident, the next two go with it
  when they reach this lower bar (a chat answer is the best article plus runners-up);
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
    "gram_bm25",
    "gram_title",
    "gram_coverage",
    "gram_gap",
)
RANK_SEMANTIC_FEATURES = RANK_KEYWORD_FEATURES + ("sem", "sem_gap", "sem_rr", "sem_zh")
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
    "gram_title",
    "gram_coverage",
    "gram_gap",
)
SEMANTIC_FEATURES = KEYWORD_FEATURES + ("sem", "sem_margin", "sem_rr", "sem_zh")

# ---- fitted by bench/fit_confidence.py (begin)
RANKERS = {
    "keyword": Model(
        features=RANK_KEYWORD_FEATURES,
        means=(
            0.2975,
            0.9366,
            0.5213,
            0.2578,
            1.6536,
            0.8364,
            0.0454,
            0.5071,
            1.7494,
            0.0987,
            0.2863,
            -0.9538,
        ),
        scales=(
            0.2657,
            0.4062,
            0.2508,
            0.2297,
            0.3244,
            0.0954,
            0.2082,
            0.4999,
            0.7421,
            0.1705,
            0.2642,
            0.7522,
        ),
        weights=(
            1.0999,
            -0.0112,
            0.2254,
            0.4972,
            0.2978,
            -0.1192,
            -0.1425,
            0.2012,
            0.073,
            0.6094,
            -0.4906,
            1.6224,
        ),
        bias=-4.2688,
    ),
    "semantic": Model(
        features=RANK_SEMANTIC_FEATURES,
        means=(
            0.2722,
            0.8669,
            0.504,
            0.2383,
            1.6412,
            0.7582,
            0.0477,
            0.5143,
            1.7042,
            0.0937,
            0.2758,
            -0.9964,
            0.8547,
            -0.0375,
            0.251,
            0.4492,
        ),
        scales=(
            0.2741,
            0.4505,
            0.2602,
            0.2363,
            0.3304,
            0.1467,
            0.2132,
            0.4998,
            0.7644,
            0.1694,
            0.2625,
            0.7675,
            0.0305,
            0.0257,
            0.2806,
            0.4368,
        ),
        weights=(
            0.7889,
            0.1089,
            0.2891,
            0.2349,
            0.1763,
            -0.5035,
            -0.0993,
            -0.0509,
            0.0431,
            0.3762,
            -0.2427,
            0.7432,
            -0.1986,
            1.4836,
            0.8861,
            0.1599,
        ),
        bias=-4.6085,
    ),
}
MODELS = {
    "keyword": Model(
        features=KEYWORD_FEATURES,
        means=(
            -1.4155,
            -1.6445,
            0.6137,
            0.4026,
            1.6343,
            0.9898,
            0.0396,
            0.5077,
            0.1975,
            0.378,
            -0.3941,
        ),
        scales=(
            2.5824,
            4.4928,
            0.2571,
            0.2676,
            0.3209,
            0.817,
            0.1949,
            0.4999,
            0.2339,
            0.291,
            0.4885,
        ),
        weights=(
            -1.135,
            2.5013,
            1.0993,
            0.7951,
            0.935,
            -0.1462,
            -0.1634,
            0.3539,
            1.0484,
            -0.2391,
            0.1163,
        ),
        bias=-1.9955,
    ),
    "semantic": Model(
        features=SEMANTIC_FEATURES,
        means=(
            -1.4997,
            -2.0017,
            0.5689,
            0.3616,
            1.6176,
            0.9969,
            0.0401,
            0.5167,
            0.1811,
            0.3465,
            -0.4992,
            0.8667,
            -0.0106,
            0.5254,
            0.4557,
        ),
        scales=(
            3.1125,
            5.6844,
            0.2901,
            0.2871,
            0.3305,
            0.8163,
            0.1962,
            0.4997,
            0.2341,
            0.2934,
            0.6013,
            0.032,
            0.0392,
            0.3494,
            0.441,
        ),
        weights=(
            -0.0773,
            2.5427,
            0.996,
            0.3547,
            0.5521,
            0.1131,
            0.0355,
            -0.3423,
            0.5146,
            -0.1486,
            -0.0725,
            0.9522,
            0.0406,
            0.1443,
            0.1566,
        ),
        bias=-2.2207,
    ),
}
BOT_THRESHOLD = {"keyword": 0.54, "semantic": 0.37}
BOT_COMPANION_THRESHOLD = {"keyword": 0.05, "semantic": 0.02}
SEARCH_THRESHOLD = {"keyword": 0.09, "semantic": 0.12}
# ---- fitted by bench/fit_confidence.py (end)


def mode(semantic_on: bool) -> str:
    return "semantic" if semantic_on else "keyword"


def relevance(signals: dict[str, float], *, semantic_on: bool) -> float:
    return RANKERS[mode(semantic_on)].logit(signals)


def probability(signals: dict[str, float], *, semantic_on: bool) -> float:
    return MODELS[mode(semantic_on)].probability(signals)
