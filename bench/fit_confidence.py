"""Fit the search/bot confidence (helpcenter/search/confidence.py) and judge it on unseen questions.

Imports ../shared/corpora/kb and the demo synonym groups into a scratch database (as
search_quality.py does) and runs every question through the engine (its candidates and
their signals). Two groups of questions:

- the fitting POOL: both halves of bench/fresh_queries.yaml (`fit`, `held`), the
  project's own sets (search_queries.yaml, bot_queries.yaml, unanswerable_queries.yaml:
  `own`) and the first eleven judge sets (bench/judge_queries.yaml, judge2_queries.yaml,
  ... judge11_queries.yaml: `judge` to `judge11`), all of which have been scored, so
  they are fitting material now;
- the JUDGE sets, bench/judge12_queries.yaml to judge15_queries.yaml (`judge12` to
  `judge15`; judge14 mostly slips of hurried typing in both languages, judge15 misspelt
  English, texting shorthand and mixed scripts): each written blind after the others
  were scored, never fitted on. Their
  candidates are collected (and cached) with the pool's, but they are scored only with
  --judge, once the choices are final.

For each model (`semantic`: every signal; `keyword`: what is left with semantic
matching off):

1. cross-validation over the pool, one fold per writer (FOLDS_BY_WRITER): in each, two
   models are fitted on the other writers' questions and order and score the held-out
   writer's: the relevance model on every
   candidate of the answerable questions (RANKER_LISTWISE: a softmax over each
   question's list, or a logistic regression per candidate), then the confidence model
   (logistic regression, numpy, Newton's method, L2 penalty) on the first places of the lists
   the relevance model orders (label 1 when the article is one of the question's
   expected ones; always 0 for unanswerable questions, whose rows weigh
   UNANSWERABLE_WEIGHT);
2. on those out-of-fold scores, picks the bot's bar (most right answers with hand-off
   >= 0.96 and wrong answers <= 0.02 in each language: the issue's aims, 0.95 and 0.03,
   with a margin for a new writer's questions; the keyword models at the aims), its bar
   for the second and third answers, and search's "no good match" bar (the highest
   hiding the right article of <= 2 % of answerable questions);
3. checks that bar rule on writers it never saw (the bars picked without each writer,
   scored on that writer);
4. fits the shipped models on the whole pool and prints the figures: out of fold on the
   pool, in-sample on the pool, and (with --judge) on the judge sets.

With semantic matching, the pool's questions are also taught questions (taught.py): in
each fold the training folds' questions are filed under their expected articles (a
question never sees its own set's), so every question's taught evidence is another
writer's words; the judge sets are scored with the whole pool taught.

With --write the fitted block of confidence.py is replaced (between its markers).

    python bench/fit_confidence.py [--write] [--judge] [--use-current-db] [--cache PREFIX] [--collect-only]
"""

from __future__ import annotations

import argparse
import math
import re
from dataclasses import dataclass

import numpy as np
import yaml
from _support import ROOT, django_on_scratch_database, drop_scratch_database

# Every choice below was made on cross-validation over the pool (out-of-fold figures per
# language; bench/README.md; by writer since the tenth round), never on judge12 or judge13
# (judge11, judge10, judge8 and judge9, judge7 before it).
# L2 penalty on the standardised weights (0.3, 1, 3 and 10 compared: alike; again 0.3-30
# in the fourth round: no value better in both languages).
PENALTY = 1.0
# The confidence model learns from the first place of each list only: that is what the
# bot's bar and search's "no good match" judge (first three places: fewer right answers
# at the aims, 0.882 against 0.891 with the weight below at 5).
TRAIN_POSITIONS = 1
# Unanswerable questions are few (224 of 1,289) and each answered one is a wrong answer in
# a chat: their rows count fifteen times in the confidence model (1, 3, 5, 8, 10, 15,
# 20, 30 compared: right answers at the aims rise to 15-20 and fall after; in the fourth
# round 5, 10, 15, 20, 30 again: no weight better in both languages).
UNANSWERABLE_WEIGHT = 15.0
# Folds by writer (tenth round): each set's writer is held out whole, so the out-of-fold
# scores are what a model makes of a writer it never saw, as a judge set's are. Folds by
# question (5, until the ninth round) let the models learn every writer's voice: English
# right answers out of fold 0.752 there against 0.710 by writer, at bars that hand off
# 0.952 of a new writer's unanswerable questions either way (bench/README.md).
FOLDS_BY_WRITER = True
FOLDS = 5  # when not by writer
# Fitting and out-of-fold figures hide every taught question of this share of the
# articles (a different draw per fold), so the models learn what an article nobody
# taught looks like (`asked_none`) instead of reading it as a wrong one.
UNTAUGHT_SHARE = 0.1
# The issue's aims...
AIM_HANDOFF = 0.95
AIM_WRONG = 0.03
# ...and the constraints the bot's bars are picked under: the aims with a margin. On the
# pool's out-of-fold scores the bars meet the aims they are picked for, but a new
# writer's questions hand off fewer (third round: 0.957 -> 0.900 zh, 0.967 -> 0.850 en
# on judge3; in the pool, a bar picked without judge / judge2 / judge3 hands off 0.909 zh,
# 0.945 en of that set). 0.96 / 0.02: a little higher bars, +1 point of hand-off in each
# language out of fold for -0.3 zh / -0.8 en points of right answers (fourth round).
# The keyword models (semantic matching off: tests and CI) keep the aims themselves: in
# the fourth round, with the margin their bar (0.34) handed "whats the difference between
# limit and market order" (0.338; tests/livechat/bot/test_anonymous.py) to a person, a
# choice made on a test. In the fifth, with judge4 in the pool, the aims alone give 0.42
# (that question 0.30): the rule was kept and the test asks in full sentences.
BAR_HANDOFF = {"semantic": 0.96, "keyword": AIM_HANDOFF}
BAR_WRONG = {"semantic": 0.02, "keyword": AIM_WRONG}
SEARCH_HIDDEN_MAX = 0.02
# The relevance model of each mode: a softmax over each question's list (True) or a
# logistic regression per candidate (False). Listwise was better out of fold without
# semantic matching (MRR@5 0.878 -> 0.896 zh, 0.853 -> 0.884 en; bot 0.787 -> 0.809 zh,
# 0.771 -> 0.800 en) and no better with it, but it put the login-password article above
# the fund-password one for "forgot my fund password" (a pool question, and a test of
# tests/helpcenter/search): not shipped, kept to compare again with more questions.
RANKER_LISTWISE = {"semantic": False, "keyword": False}


def load_own() -> list[dict]:
    """The project's own sets (written by reading the corpus): more fitting material."""
    own = []
    for path in ("search_queries.yaml", "bot_queries.yaml", "unanswerable_queries.yaml"):
        for q in yaml.safe_load((ROOT / "bench" / path).read_text(encoding="utf-8")):
            own.append({"q": q["q"], "lang": q["lang"], "expect": q["expect"], "split": "fit"})
    return own


def load(path: str = "fresh_queries.yaml") -> list[dict]:
    questions = yaml.safe_load((ROOT / "bench" / path).read_text(encoding="utf-8"))
    seen: dict[tuple, int] = {}
    for q in questions:
        group = (q["lang"], bool(q["expect"]))
        seen[group] = seen.get(group, 0) + 1
        q["split"] = "fit" if seen[group] % 2 == 1 else "held"
    return questions


# Judge sets that have been scored and are fitting material now (their figures were known
# when the fourth round started), and the one set that judges: never fitted on.
POOLED_JUDGES = (
    ("judge", "judge_queries.yaml"),
    ("judge2", "judge2_queries.yaml"),
    ("judge3", "judge3_queries.yaml"),
    ("judge4", "judge4_queries.yaml"),
    ("judge5", "judge5_queries.yaml"),
    ("judge6", "judge6_queries.yaml"),
    ("judge7", "judge7_queries.yaml"),
    ("judge8", "judge8_queries.yaml"),
    ("judge9", "judge9_queries.yaml"),
    ("judge10", "judge10_queries.yaml"),
    ("judge11", "judge11_queries.yaml"),
)
JUDGES = (
    ("judge12", "judge12_queries.yaml"),
    ("judge13", "judge13_queries.yaml"),
    ("judge14", "judge14_queries.yaml"),
    ("judge15", "judge15_queries.yaml"),
)
# Every set the quality benches report, in their order.
SET_NAMES = ("own", "fit", "held", *(name for name, _ in POOLED_JUDGES + JUDGES))


def load_sets(sets) -> list[dict]:
    questions = []
    for name, path in sets:
        text = (ROOT / "bench" / path).read_text(encoding="utf-8")
        questions += [dict(q, split=name) for q in yaml.safe_load(text)]
    return questions


def load_pool() -> list[dict]:
    """The fitting pool: both halves of the fresh set, the own sets, judge to judge11."""
    return load() + [dict(q, split="own") for q in load_own()] + load_sets(POOLED_JUDGES)


def load_judge() -> list[dict]:
    """Every set the quality benches score apart: judge and judge2 (fitting material since
    the third round), judge3 (fitting material since the fourth), judge4 (since the
    fifth), judge5 (since the sixth), judge6 (since the seventh), judge7 (since the
    eighth), judge8 and judge9 (since the ninth), judge10 (since the tenth), judge11 (since the
    eleventh), and judge12 to judge15 (bench/judge12_queries.yaml to
    judge15_queries.yaml, each written blind after the round before was fitted and scored
    once with it; never fitted on)."""
    return load_sets(POOLED_JUDGES + JUDGES)


def collect(questions: list[dict], semantic_on: bool) -> list[list]:
    """Per question: the engine's candidates (before the relevance model orders them)."""
    from helpcenter.search.engine import Features, candidates

    features = Features(semantic=semantic_on)
    return [candidates(q["q"], lang=q["lang"], features=features)[0] for q in questions]


@dataclass
class Hit:
    slug: str
    confidence: float
    signals: dict


def ordered(cands_per_q, semantic_on: bool, limit: int = 5) -> list[list[Hit]]:
    """What search would return with the models now in confidence.py."""
    from helpcenter.search.engine import rerank

    return [
        [
            Hit(c.slug, p, signals)
            for c, p, signals in rerank(cands, semantic_on=semantic_on, limit=limit)
        ]
        for cands in cands_per_q
    ]


def cached_collect(questions, semantic_on: bool, cache: str | None):
    """collect(), kept in `cache` (a pickle, by question) between runs while only the fitting changes."""
    import pickle
    from pathlib import Path

    if not cache:
        return collect(questions, semantic_on)
    path = Path(f"{cache}.{'semantic' if semantic_on else 'keyword'}.pickle")
    known = pickle.loads(path.read_bytes()) if path.exists() else {}
    missing = [q for q in questions if (q["q"], q["lang"]) not in known]
    for q, cands in zip(missing, collect(missing, semantic_on), strict=True):
        known[(q["q"], q["lang"])] = cands
    path.write_bytes(pickle.dumps(known))
    return [known[(q["q"], q["lang"])] for q in questions]


def question_vectors(questions, cache: str | None) -> np.ndarray:
    """Each question embedded as a query (as the engine embeds a search: in Simplified
    characters), kept in CACHE.questions.pickle between runs."""
    import pickle
    from pathlib import Path

    from helpcenter.search import semantic
    from helpcenter.search.traditional import to_simplified

    path = Path(f"{cache}.questions.pickle") if cache else None
    known = pickle.loads(path.read_bytes()) if path and path.exists() else {}
    texts = [to_simplified(q["q"]) for q in questions]
    for text in texts:
        if text not in known:
            known[text] = np.asarray(semantic.embed_query(text), np.float32)
    if path:
        path.write_bytes(pickle.dumps(known))
    return np.vstack([known[text] for text in texts])


def sentence_vectors(questions, cache: str | None) -> list:
    """Each question's sentences (helpcenter/search/focus.py) embedded as queries, one
    matrix per question (None for a question of one sentence), kept in
    CACHE.sentences.pickle between runs."""
    import pickle
    from pathlib import Path

    from helpcenter.search import focus, semantic
    from helpcenter.search.traditional import to_simplified

    path = Path(f"{cache}.sentences.pickle") if cache else None
    known = pickle.loads(path.read_bytes()) if path and path.exists() else {}
    texts = [to_simplified(q["q"]) for q in questions]
    for text in texts:
        if text not in known:
            parts = focus.parts(text)
            known[text] = np.asarray(semantic.embed_query(parts), np.float32) if parts else None
    if path:
        path.write_bytes(pickle.dumps(known))
    return [known[text] for text in texts]


def teach(
    questions, cands_per_q, vectors: np.ndarray, taught, untaught_share: float = 0.0, sentences=None
) -> None:
    """Set each candidate's taught-question signals (helpcenter/search/taught.py) as if
    the questions at `taught` were filed under their expected articles: a question never
    sees its own writer's questions (its set), so the evidence is another writer's words,
    as a new customer's question would be."""
    from helpcenter.search.semantic import DIMENSIONS
    from helpcenter.search.taught import Rows

    groups: dict[str, list[int]] = {}
    for j in taught:
        for slug in questions[j]["expect"]:
            groups.setdefault(slug, []).append(j)
    # a help centre where editors taught some articles and not others
    slugs = sorted(groups)
    rng = np.random.default_rng(len(taught))
    for slug in rng.choice(slugs, size=round(untaught_share * len(slugs)), replace=False):
        del groups[slug]
    rows = Rows.of({slug: vectors[js] for slug, js in groups.items()}, DIMENSIONS)
    row_question = np.array([j for slug in rows.slugs for j in groups[slug]], dtype=int)
    splits = np.array([q["split"] for q in questions])
    texts = np.array([q["q"].strip().lower() for q in questions])
    for i, cands in enumerate(cands_per_q):
        if not cands:
            continue
        mask = (splits[row_question] != splits[i]) & (texts[row_question] != texts[i])
        nearest = rows.nearest(vectors[i], mask)
        parts = sentences[i] if sentences is not None else None
        by_sentence = [rows.nearest(row, mask) for row in parts] if parts is not None else []
        for c in cands:
            c.signals.update(nearest.signals(c.slug))
            # as engine._focus_signals: the best sentence's, never below the whole question's
            c.signals["asked_focus"] = max(
                [c.signals["asked"], *(n.signals(c.slug)["asked"] for n in by_sentence)]
            )


def fit_logistic(x: np.ndarray, y: np.ndarray, penalty: float | None = None, weight=None):
    """Weights (per row; default 1) let the few unanswerable questions count more."""
    penalty = PENALTY if penalty is None else penalty
    weight = np.ones(len(x)) if weight is None else np.asarray(weight, dtype=float)
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales < 1e-9] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - means) / scales])
    w = np.zeros(z.shape[1])
    reg = penalty * np.eye(z.shape[1])
    reg[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -30, 30)))
        gradient = z.T @ (weight * (p - y)) + reg @ w
        hessian = z.T @ (z * (weight * p * (1 - p))[:, None]) + reg
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return means, scales, w[1:], w[0]


def fit_listwise(x: np.ndarray, y: np.ndarray, groups: np.ndarray, penalty: float | None = None):
    """A relevance model fitted on each question's list as a whole (a softmax over its
    candidates; the likelihood of the expected ones): it learns what puts the right article
    above the others of the same list, not what makes a candidate right in general."""
    penalty = PENALTY if penalty is None else penalty
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales < 1e-9] = 1.0
    z = (x - means) / scales
    w = np.zeros(z.shape[1])
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    bounds = list(zip(starts, np.r_[starts[1:], len(groups)], strict=True))

    def loss_grad_hess(w):
        loss, grad = 0.5 * penalty * w @ w, penalty * w
        hess = penalty * np.eye(len(w))
        for a, b in bounds:
            zg, yg = z[a:b], y[a:b]
            if not yg.any():
                continue
            s = zg @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * yg
            q /= q.sum()
            loss -= np.log((p * yg).sum())
            grad += zg.T @ (p - q)
            hess += zg.T @ (zg * p[:, None]) - np.outer(zg.T @ p, zg.T @ p)
        return loss, grad, hess

    loss, grad, hess = loss_grad_hess(w)
    for _ in range(50):
        step = np.linalg.solve(hess, grad)
        scale = 1.0
        while scale > 1e-4:
            new_loss, new_grad, new_hess = loss_grad_hess(w - scale * step)
            if new_loss <= loss:
                break
            scale /= 2
        w, loss, grad, hess = w - scale * step, new_loss, new_grad, new_hess
        if np.abs(scale * step).max() < 1e-7:
            break
    return means, scales, w, 0.0


def bot_outcome(hits, threshold: float, companion: float):
    """Slugs the bot would answer with (None: it offers a person), as livechat.bot.knowledge."""
    if not hits or hits[0].confidence < threshold:
        return None
    return [hits[0].slug] + [h.slug for h in hits[1:3] if h.confidence >= companion]


def bot_score(rows, bars: dict[str, tuple[float, float]]) -> dict:
    """bars: per UI language, the bot's bar and its bar for the second and third answers."""
    answerable = [(h, q) for h, q in rows if q["expect"]]
    unanswerable = [(h, q) for h, q in rows if not q["expect"]]
    right = wrong = 0
    for hits, q in answerable:
        given = bot_outcome(hits, *bars[q["lang"]])
        if given:
            right += bool(set(given) & set(q["expect"]))
            wrong += not set(given) & set(q["expect"])
    handed = sum(1 for hits, q in unanswerable if bot_outcome(hits, *bars[q["lang"]]) is None)
    return {
        "n": len(rows),
        "right": right,
        "wrong": wrong,
        "missed": len(unanswerable) - handed,
        "accuracy": right / max(1, len(answerable)),
        "wrong_rate": wrong / max(1, len(answerable)),
        "handoff": handed / max(1, len(unanswerable)),
    }


def search_score(rows, threshold: float) -> dict:
    answerable = [(h, q) for h, q in rows if q["expect"]]
    unanswerable = [(h, q) for h, q in rows if not q["expect"]]
    rr, hidden = [], 0
    for hits, q in answerable:
        shown = hits if hits and max(h.confidence for h in hits) >= threshold else []
        found = [h.slug for h in hits[:5]]
        good = next((1 / (i + 1) for i, s in enumerate(found) if s in q["expect"]), 0.0)
        hidden += bool(good) and not shown
        rr.append(good if shown else 0.0)
    no_match = sum(
        1 for hits, _ in unanswerable if not hits or max(h.confidence for h in hits) < threshold
    )
    return {
        "mrr5": sum(rr) / max(1, len(rr)),
        "hidden": hidden / max(1, len(answerable)),
        "no_match_unanswerable": no_match / max(1, len(unanswerable)),
    }


def model_from(names, x, y, weight=None, groups=None):
    from helpcenter.search.confidence import Model

    if groups is not None:
        means, scales, weights, bias = fit_listwise(np.array(x), np.array(y), np.array(groups))
    else:
        means, scales, weights, bias = fit_logistic(np.array(x), np.array(y), weight=weight)
    return Model(
        features=names,
        means=tuple(round(float(v), 4) for v in means),
        scales=tuple(round(float(v), 4) for v in scales),
        weights=tuple(round(float(v), 4) for v in weights),
        bias=round(float(bias), 4),
    )


def fit_models(questions, cands_per_q, name: str, rank_names, names, rows) -> tuple:
    """Fit the relevance model, then the confidence model, on the questions at `rows`."""
    from helpcenter.search import confidence

    semantic_on = name == "semantic"
    # 1. the relevance model, on every candidate of the answerable questions
    x, y, groups = [], [], []
    for i in rows:
        if questions[i]["expect"]:
            for c in cands_per_q[i]:
                x.append([c.signals.get(n, 0.0) for n in rank_names])
                y.append(1.0 if c.slug in questions[i]["expect"] else 0.0)
                groups.append(i)
    listwise = groups if RANKER_LISTWISE[name] else None
    confidence.RANKERS[name] = ranker = model_from(rank_names, x, y, groups=listwise)
    # (a neutral confidence model while the lists are ordered: its features may have changed)
    zeros = tuple(0.0 for _ in names)
    confidence.MODELS[name] = confidence.Model(names, zeros, (1.0,) * len(names), zeros, 0.0)
    # 2. the confidence model, on the first places of the lists the relevance model orders
    hits = ordered([cands_per_q[i] for i in rows], semantic_on)
    x, y, weight = [], [], []
    for i, found in zip(rows, hits, strict=True):
        for hit in found[:TRAIN_POSITIONS]:
            x.append([hit.signals.get(n, 0.0) for n in names])
            y.append(1.0 if hit.slug in questions[i]["expect"] else 0.0)
            weight.append(1.0 if questions[i]["expect"] else UNANSWERABLE_WEIGHT)
    confidence.MODELS[name] = model = model_from(names, x, y, weight)
    return ranker, model


def writer(question: dict) -> str:
    """Who wrote a question: its set (both halves of the fresh set are one writer's)."""
    return "fresh" if question["split"] in ("fit", "held") else question["split"]


def folds(questions) -> np.ndarray:
    """Each question's fold: its writer's (FOLDS_BY_WRITER), or one of FOLDS at random."""
    if FOLDS_BY_WRITER:
        writers = sorted({writer(q) for q in questions})
        return np.array([writers.index(writer(q)) for q in questions])
    order = np.random.default_rng(0).permutation(len(questions))
    fold = np.empty(len(questions), dtype=int)
    fold[order] = np.arange(len(questions)) % FOLDS
    return fold


def out_of_fold(
    questions, cands_per_q, name, rank_names, names, vectors=None, sentences=None
) -> list[list[Hit]]:
    """Each question's hits from models fitted on the other folds (for thresholds and
    for an honest figure on the fitting pool)."""
    fold = folds(questions)
    result: list = [None] * len(questions)
    for k in sorted(set(fold)):
        train = [i for i in range(len(questions)) if fold[i] != k]
        test = [i for i in range(len(questions)) if fold[i] == k]
        if vectors is not None:
            teach(questions, cands_per_q, vectors, train, UNTAUGHT_SHARE, sentences)
        fit_models(questions, cands_per_q, name, rank_names, names, train)
        if vectors is not None:  # the fold is scored with every article taught
            teach(questions, cands_per_q, vectors, train, sentences=sentences)
        hits_of_test = ordered([cands_per_q[i] for i in test], name == "semantic")
        for i, hits in zip(test, hits_of_test, strict=True):
            result[i] = hits
    return result


LANGS = ("zh-hans", "en")


def _language_bars(rows, mode: str) -> tuple[float, float]:
    """The bot's bar and its companion bar for one language's rows: most right answers
    with hand-off on unanswerable >= BAR_HANDOFF and wrong answers <= BAR_WRONG (without
    such bars, the ones that miss them by least). As bot_score over every pair of bars,
    in arrays (the check by writer picks bars two dozen times)."""
    grid = [round(t, 2) for t in np.arange(0.02, 0.96, 0.01)]
    places = np.zeros((len(rows), 3))  # confidences of the first three places (0: none)
    right_at = np.zeros((len(rows), 3), dtype=bool)
    for i, (hits, q) in enumerate(rows):
        for j, hit in enumerate(hits[:3]):
            places[i, j] = hit.confidence
            right_at[i, j] = hit.slug in q["expect"]
    has_hits = np.array([bool(hits) for hits, _ in rows])
    answerable = np.array([bool(q["expect"]) for _, q in rows])
    n_answerable, n_unanswerable = max(1, answerable.sum()), max(1, (~answerable).sum())
    # per companion bar: is the first place or a further answer right?
    right_given = {
        c: right_at[:, 0] | ((places[:, 1:] >= c) & right_at[:, 1:]).any(axis=1) for c in grid
    }
    best = None
    for t in grid:
        answered = has_hits & (places[:, 0] >= t)
        handoff = (~answered & ~answerable).sum() / n_unanswerable
        answered_answerable = answered & answerable
        for companion in (t2 for t2 in grid if t2 <= t):
            right = int((answered_answerable & right_given[companion]).sum())
            wrong_rate = (answered_answerable.sum() - right) / n_answerable
            shortfall = max(0.0, BAR_HANDOFF[mode] - handoff)
            shortfall += max(0.0, wrong_rate - BAR_WRONG[mode])
            key = (-round(shortfall, 6), right, companion, -t)
            if best is None or key > best[0]:
                best = (key, t, companion)
    return best[1], best[2]


def pick_thresholds(rows, mode: str = "semantic") -> tuple[dict, float]:
    """On out-of-fold hits: the bot's bars per UI language (its bar and its bar for the
    second and third answers; sixth round: one bar for both languages had English's
    constraints met by Chinese's bar or the other way round, 2-5 points of right answers
    fewer under the bar rule), and search's "no good match" bar (the highest that hides
    the right article of at most 2 % of answerable questions)."""
    bars = {
        lang: _language_bars([(h, q) for h, q in rows if q["lang"] == lang], mode) for lang in LANGS
    }
    grid = [round(t, 2) for t in np.arange(0.02, 0.96, 0.01)]
    search_t = max(
        (t for t in grid if search_score(rows, t)["hidden"] <= SEARCH_HIDDEN_MAX),
        default=grid[0],
    )
    return bars, search_t


def new_writer_check(rows, mode: str) -> None:
    """How the bar rule fares on a writer it never saw: for each writer, the bars picked on
    the other writers' out-of-fold rows, scored on that writer's; summed per language."""
    print(f"\n{mode}: bars picked without each writer, scored on that writer (by writer folds)")
    for lang in LANGS:
        of_lang = [(h, q) for h, q in rows if q["lang"] == lang]
        right = wrong = handed = answerable = unanswerable = 0
        short = []
        for name in sorted({writer(q) for _, q in of_lang}):
            others = [(h, q) for h, q in of_lang if writer(q) != name]
            own = [(h, q) for h, q in of_lang if writer(q) == name]
            s = bot_score(own, {lang: _language_bars(others, mode)})
            n_answerable = sum(1 for _, q in own if q["expect"])
            right, wrong = right + s["right"], wrong + s["wrong"]
            handed += s["handoff"] * (len(own) - n_answerable)
            answerable += n_answerable
            unanswerable += len(own) - n_answerable
            if len(own) > n_answerable and s["handoff"] < AIM_HANDOFF:
                short.append(f"{name} {s['handoff']:.2f}")
        print(
            f"{lang:<8} accuracy {right / answerable:.3f} wrong {wrong / answerable:.3f} "
            f"hand-off {handed / max(1, unanswerable):.3f}; writers under the aim: {', '.join(short) or 'none'}"
        )


def report(questions, rescored, bars, search_t, title: str) -> dict:
    print(f"\n{title}: bot (bar, further answers) {bars}, search {search_t}")
    print(
        f"{'set':<22}{'n':>5}{'accuracy':>10}{'wrong':>8}{'hand-off':>10}{'MRR@5':>8}{'hidden':>8}{'no-match':>10}"
    )
    figures = {}
    pooled = ("own", "fit", "held", *(name for name, _ in POOLED_JUDGES))
    for split in (*pooled, "pool", *(name for name, _ in JUDGES)):
        for lang in ("zh-hans", "en", None):
            rows = [
                (h, q)
                for h, q in zip(rescored, questions, strict=True)
                if h is not None
                and (q["split"] == split or (split == "pool" and q["split"] in pooled))
                and (lang is None or q["lang"] == lang)
            ]
            if not rows:
                continue
            b, s = bot_score(rows, bars), search_score(rows, search_t)
            name = f"{split} {lang or 'all'}"
            figures[name] = {**b, **s}
            print(
                f"{name:<22}{b['n']:>5}{b['accuracy']:>10.3f}{b['wrong_rate']:>8.3f}"
                f"{b['handoff']:>10.3f}{s['mrr5']:>8.3f}{s['hidden']:>8.3f}{s['no_match_unanswerable']:>10.3f}"
            )
    return figures


def model_source(name: str, model, features: str) -> str:
    def tup(values):
        return "(" + ", ".join(repr(v) for v in values) + ("," if len(values) == 1 else "") + ")"

    return (
        f'    "{name}": Model(\n'
        f"        features={features},\n"
        f"        means={tup(model.means)},\n"
        f"        scales={tup(model.scales)},\n"
        f"        weights={tup(model.weights)},\n"
        f"        bias={model.bias!r},\n"
        f"    ),\n"
    )


def write(rankers: dict, models: dict, bars: dict, search: dict) -> None:
    """bars: per mode, per UI language, (bar, companion bar)."""

    def per_lang(mode: str, which: int) -> str:
        return "{" + ", ".join(f'"{lang}": {bars[mode][lang][which]}' for lang in LANGS) + "}"

    path = ROOT / "helpcenter" / "search" / "confidence.py"
    source = path.read_text(encoding="utf-8")
    block = (
        "# ---- fitted by bench/fit_confidence.py (begin)\n"
        "RANKERS = {\n"
        + model_source("keyword", rankers["keyword"], "RANK_KEYWORD_FEATURES")
        + model_source("semantic", rankers["semantic"], "RANK_SEMANTIC_FEATURES")
        + "}\n"
        "MODELS = {\n"
        + model_source("keyword", models["keyword"], "KEYWORD_FEATURES")
        + model_source("semantic", models["semantic"], "SEMANTIC_FEATURES")
        + "}\n"
        f'BOT_THRESHOLD = {{"keyword": {per_lang("keyword", 0)}, "semantic": {per_lang("semantic", 0)}}}\n'
        f'BOT_COMPANION_THRESHOLD = {{"keyword": {per_lang("keyword", 1)}, "semantic": {per_lang("semantic", 1)}}}\n'
        f'SEARCH_THRESHOLD = {{"keyword": {search["keyword"]}, "semantic": {search["semantic"]}}}\n'
        "# ---- fitted by bench/fit_confidence.py (end)\n"
    )
    pattern = re.compile(
        r"# ---- fitted by bench/fit_confidence.py \(begin\)\n.*?# ---- fitted by bench/fit_confidence.py \(end\)\n",
        re.S,
    )
    path.write_text(pattern.sub(lambda _: block, source), encoding="utf-8")
    print(f"\nwrote {path.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", action="store_true", help="update confidence.py")
    parser.add_argument(
        "--use-current-db",
        action="store_true",
        help="use DATABASE_URL as it is (corpus already imported and embedded)",
    )
    parser.add_argument("--cache", help="keep the engine's hits in CACHE.*.pickle between runs")
    parser.add_argument(
        "--judge",
        action="store_true",
        help="also score the judge sets with the final models (once the choices are final)",
    )
    parser.add_argument(
        "--collect-only", action="store_true", help="fill the --cache and stop (no fitting)"
    )
    args = parser.parse_args()
    pool = load_pool()
    # the judge sets' candidates are collected (and cached) either way, scored only with --judge
    judge = load_sets(JUDGES)
    database = None
    if args.use_current_db:
        import os
        import sys

        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        import django

        django.setup()
    else:
        database = django_on_scratch_database()
    try:
        from django.conf import settings

        from helpcenter.search import confidence as c

        settings.HELPCENTER_SEMANTIC_SEARCH = True
        if database:
            from search_quality import prepare

            prepare(semantic_on=True)
        rankers, models, bars_of, searches = {}, {}, {}, {}
        for name, rank_names, names, semantic_on in (
            ("semantic", c.RANK_SEMANTIC_FEATURES, c.SEMANTIC_FEATURES, True),
            ("keyword", c.RANK_KEYWORD_FEATURES, c.KEYWORD_FEATURES, False),
        ):
            cands = cached_collect(pool, semantic_on, args.cache)
            judge_cands = cached_collect(judge, semantic_on, args.cache)
            if args.collect_only:
                continue
            # taught questions are semantic evidence: the pool's, fold by fold
            vectors = question_vectors(pool + judge, args.cache) if semantic_on else None
            sentences = sentence_vectors(pool + judge, args.cache) if semantic_on else None
            pool_vectors = vectors[: len(pool)] if semantic_on else None
            pool_sentences = sentences[: len(pool)] if semantic_on else None
            held_back = out_of_fold(
                pool, cands, name, rank_names, names, pool_vectors, pool_sentences
            )
            bars, search_t = pick_thresholds(list(zip(held_back, pool, strict=True)), name)
            if semantic_on:
                teach(pool, cands, pool_vectors, range(len(pool)), UNTAUGHT_SHARE, pool_sentences)
            ranker, model = fit_models(pool, cands, name, rank_names, names, range(len(pool)))
            rankers[name], models[name] = ranker, model
            bars_of[name], searches[name] = bars, search_t
            folding = "by writer" if FOLDS_BY_WRITER else f"{FOLDS} folds"
            report(pool, held_back, bars, search_t, f"{name}, out of fold ({folding})")
            if FOLDS_BY_WRITER:
                new_writer_check(list(zip(held_back, pool, strict=True)), name)
            scored, scored_cands = (
                (pool + judge, cands + judge_cands) if args.judge else (pool, cands)
            )
            if semantic_on:
                teach(
                    scored,
                    scored_cands,
                    vectors[: len(scored)],
                    range(len(pool)),
                    sentences=sentences[: len(scored)],
                )
            report(
                scored,
                ordered(scored_cands, semantic_on),
                bars,
                search_t,
                f"{name}, final models (fitted on the pool; the judge sets never)",
            )
            print("relevance:", dict(zip(rank_names, ranker.weights, strict=True)), ranker.bias)
            print("confidence:", dict(zip(names, model.weights, strict=True)), model.bias)
    finally:
        if database:
            drop_scratch_database(database)
    if args.collect_only:
        return
    if args.write:
        write(rankers, models, bars_of, searches)
    assert math.isfinite(sum(models["semantic"].weights))


if __name__ == "__main__":
    main()
