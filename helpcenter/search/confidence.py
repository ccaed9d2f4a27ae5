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
   that list (fitted on the first places, unanswerable questions weighing more): its
   relevance, the margin of its relevance over the best other candidate's, coverage
   (tokens and bigrams), place, language, similarity and its margin over the next, and
   how much of the query the help centre has words for at all (`gram_known`: "mint an
   NFT" little, "face scan keeps failing" most).

Two of each, because tests and `BEACON_SEMANTIC_SEARCH=0` run without the semantic
signals: `semantic` and `keyword`. Weights and thresholds below are written by
`bench/fit_confidence.py --write`, fitted on every question set but the third judge set
(`bench/fresh_queries.yaml`, the project's own sets, `bench/unanswerable_queries.yaml`
and the first two judge sets, scored before this fit), with every choice and the
thresholds made on 5-fold cross-validation over those, and judged on
`bench/judge3_queries.yaml`, written blind and committed before any result on it was
seen (bench/README.md); rerun it when the corpus or the engine changes.

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
    "gram_known",
)
SEMANTIC_FEATURES = KEYWORD_FEATURES + ("sem", "sem_margin", "sem_rr", "sem_zh")

# ---- fitted by bench/fit_confidence.py (begin)
RANKERS = {
    "keyword": Model(
        features=RANK_KEYWORD_FEATURES,
        means=(
            0.2968,
            0.9275,
            0.5103,
            0.2497,
            1.6706,
            0.836,
            0.0616,
            0.5061,
            1.7688,
            0.0957,
            0.2795,
            -0.9387,
        ),
        scales=(
            0.2654,
            0.4007,
            0.2465,
            0.2228,
            0.3068,
            0.0955,
            0.2405,
            0.5,
            0.7219,
            0.1638,
            0.2561,
            0.738,
        ),
        weights=(
            1.0327,
            0.0193,
            0.1803,
            0.5163,
            0.3181,
            -0.1651,
            -0.1891,
            0.1835,
            0.0849,
            0.6592,
            -0.5314,
            1.8262,
        ),
        bias=-4.4099,
    ),
    "semantic": Model(
        features=RANK_SEMANTIC_FEATURES,
        means=(
            0.2731,
            0.8627,
            0.494,
            0.2321,
            1.6602,
            0.7618,
            0.0624,
            0.5121,
            1.7272,
            0.0911,
            0.2697,
            -0.9784,
            0.8547,
            -0.0362,
            0.252,
            0.4473,
        ),
        scales=(
            0.274,
            0.4417,
            0.2547,
            0.229,
            0.3132,
            0.1424,
            0.2418,
            0.4999,
            0.744,
            0.1629,
            0.2534,
            0.7557,
            0.0301,
            0.0253,
            0.2807,
            0.4368,
        ),
        weights=(
            0.7428,
            0.0838,
            0.2603,
            0.2803,
            0.2089,
            -0.4949,
            -0.1721,
            -0.0047,
            -0.0702,
            0.4593,
            -0.2688,
            0.979,
            -0.0338,
            1.7134,
            0.7207,
            0.041,
        ),
        bias=-4.9231,
    ),
}
MODELS = {
    "keyword": Model(
        features=KEYWORD_FEATURES,
        means=(
            1.4209,
            3.7751,
            0.6963,
            0.5557,
            1.6469,
            0.0,
            0.0521,
            0.5054,
            0.3214,
            0.4558,
            -0.0842,
            0.6347,
        ),
        scales=(
            1.6311,
            2.2791,
            0.2477,
            0.2752,
            0.3092,
            1.0,
            0.2223,
            0.5,
            0.2855,
            0.3087,
            0.1971,
            0.302,
        ),
        weights=(
            0.1201,
            0.7721,
            1.4045,
            0.7633,
            1.0675,
            0.0,
            0.0948,
            0.9572,
            1.1204,
            0.1021,
            -0.0844,
            0.6612,
        ),
        bias=0.8918,
    ),
    "semantic": Model(
        features=SEMANTIC_FEATURES,
        means=(
            1.9441,
            4.7054,
            0.6638,
            0.5284,
            1.6362,
            0.0,
            0.0518,
            0.512,
            0.3125,
            0.4407,
            -0.1359,
            0.6211,
            0.8821,
            0.0185,
            0.8801,
            0.4578,
        ),
        scales=(
            1.8528,
            3.2216,
            0.2854,
            0.3028,
            0.3154,
            1.0,
            0.2216,
            0.4999,
            0.2879,
            0.3166,
            0.3426,
            0.3119,
            0.0303,
            0.0391,
            0.2708,
            0.4472,
        ),
        weights=(
            0.1352,
            0.8018,
            1.132,
            1.0918,
            0.6278,
            0.0,
            0.0907,
            -0.5664,
            0.1665,
            0.1058,
            -0.1467,
            0.3819,
            1.2187,
            0.1682,
            0.2761,
            0.6092,
        ),
        bias=1.4027,
    ),
}
BOT_THRESHOLD = {"keyword": 0.3, "semantic": 0.12}
BOT_COMPANION_THRESHOLD = {"keyword": 0.03, "semantic": 0.02}
SEARCH_THRESHOLD = {"keyword": 0.02, "semantic": 0.06}
# ---- fitted by bench/fit_confidence.py (end)


def mode(semantic_on: bool) -> str:
    return "semantic" if semantic_on else "keyword"


def relevance(signals: dict[str, float], *, semantic_on: bool) -> float:
    return RANKERS[mode(semantic_on)].logit(signals)


def probability(signals: dict[str, float], *, semantic_on: bool) -> float:
    return MODELS[mode(semantic_on)].probability(signals)
