"""How sure search may be that a hit answers the query: one calibrated probability.

A cosine similarity or a rank is not a confidence: e5 scores Chinese text higher across
the board, a keyword hit on one common word looks like a hit on all of them, and the best
article for "tell me a joke" still comes first. So each hit gets the probability, from
a small logistic regression, that a support expert would accept it for the query,
combining what the engine knows about it (`engine._signals`):

- keyword evidence: its keyword rank (as 1/(1+rank)) and ts_rank (log), how much of the
  query its text covers (synonyms and typo corrections count), how much its title and
  tags cover;
- semantic evidence: its cosine similarity with the query (multilingual-e5-small, the
  best of its language versions), the margin over the next article's, its semantic rank;
- agreement and margin: keyword and semantic lists put it first, the fused score's
  margin over the next hit, its position;
- language: the query's script (Chinese or Latin), whether it differs from the UI's.

Two models, because tests and `BEACON_SEMANTIC_SEARCH=0` run without the semantic
signals: `semantic` and `keyword`. The weights were fitted by `bench/fit_confidence.py`
on the fitting half of `bench/fresh_queries.yaml` (every other question) and judged on
the other half; paste its output here when the corpus or the engine changes.

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
        means=(0.3011, 0.9614, 0.5765, 0.2762, 1.4823, 0.8376, 0.1447, 0.4803),
        scales=(0.2685, 0.443, 0.2621, 0.2654, 0.2711, 0.0958, 0.3518, 0.4996),
        weights=(1.3699, 0.169, 0.1884, 1.203, 0.0879, -0.2165, -0.4021, -0.0157),
        bias=-3.8546,
    ),
    "semantic": Model(
        features=RANK_SEMANTIC_FEATURES,
        means=(
            0.2748,
            0.8825,
            0.5541,
            0.2502,
            1.4703,
            0.7464,
            0.1464,
            0.4916,
            0.8512,
            -0.0413,
            0.2507,
        ),
        scales=(
            0.2748,
            0.4894,
            0.2809,
            0.271,
            0.2783,
            0.163,
            0.3536,
            0.4999,
            0.0342,
            0.0263,
            0.2846,
        ),
        weights=(
            0.7824,
            0.1558,
            0.3654,
            0.3496,
            -0.2328,
            0.0886,
            -0.3123,
            0.1889,
            -0.3835,
            0.7538,
            1.6715,
        ),
        bias=-4.9991,
    ),
}
MODELS = {
    "keyword": Model(
        features=KEYWORD_FEATURES,
        means=(-1.5108, -1.6122, 0.6534, 0.4645, 1.4762, 0.9783, 0.1269, 0.4861),
        scales=(2.5712, 4.4019, 0.2704, 0.3009, 0.27, 0.8156, 0.3329, 0.4998),
        weights=(0.2645, 2.1265, 0.6683, 1.0717, 0.6078, 0.2163, -0.1041, -0.2281),
        bias=-2.0698,
    ),
    "semantic": Model(
        features=SEMANTIC_FEATURES,
        means=(
            -1.7428,
            -2.3059,
            0.6186,
            0.3986,
            1.4697,
            0.997,
            0.1254,
            0.4925,
            0.866,
            -0.0124,
            0.5414,
        ),
        scales=(
            3.4184,
            6.1355,
            0.308,
            0.3332,
            0.2737,
            0.8159,
            0.3311,
            0.4999,
            0.035,
            0.0331,
            0.3419,
        ),
        weights=(
            0.8818,
            1.9625,
            0.7914,
            0.6074,
            0.0473,
            0.1691,
            -0.127,
            -0.1809,
            0.2219,
            0.2698,
            0.3518,
        ),
        bias=-2.2602,
    ),
}
BOT_THRESHOLD = {"keyword": 0.5, "semantic": 0.35}
SEARCH_THRESHOLD = {"keyword": 0.12, "semantic": 0.21}
# ---- fitted by bench/fit_confidence.py (end)


def mode(semantic_on: bool) -> str:
    return "semantic" if semantic_on else "keyword"


def relevance(signals: dict[str, float], *, semantic_on: bool) -> float:
    return RANKERS[mode(semantic_on)].logit(signals)


def probability(signals: dict[str, float], *, semantic_on: bool) -> float:
    return MODELS[mode(semantic_on)].probability(signals)
