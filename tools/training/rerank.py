"""Measure a learned re-ranker over each text's top candidates (issue #15), by the link decision's grouped CV.

Not shipped: by this measurement it does not beat the ranking it re-ranks (docs/analysis.md, "Claim matching").
Kept so that the figure can be re-run (`manage.py train_matching FILE --rerank-cv`) and a next attempt starts
from these features instead of from nothing.

The setting is the held-out-like one of tools/training/matching.py: each fold's headlines (grouped by claim) are
matched together among all claims; a logistic model of "this candidate is the text's own claim" over
RERANK_FEATURES is fitted on the other folds' candidates and picks the best of each text's top `k` in this fold.
The features aim at the errors left, groups of reports that pick a near-duplicate claim: what tells two close
claims apart is the words one has and the other lacks ("distinguishing" words, IDF-weighted), the proper nouns
and numbers, and the words of the other texts that pick a claim clearly (what its reports call it).
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from claims.analysis.matching import EXPANSION_MARGIN, MatchBatch, match_stages
from claims.analysis.similarity import words
from tools.training.matching import FOLDS, LAYOUTS, Emergent, fold_split

TOP_K = 4
RERANK_FEATURES = (
    "score", "score_gap", "rank", "direct", "direct_gap", "expanded", "expanded_gap", "word", "char", "embedding",
    "support", "claim_covered", "text_covered", "own_distinct_found", "own_distinct_share", "own_distinct_missing",
    "rival_distinct_found", "numbers_shared", "numbers_clash", "names_of_claim_found", "names_of_text_found",
    "report_words_found", "report_words_weighted", "reports",
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b[A-Z][\w'-]+")


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def _names(text: str) -> set[str]:
    return {n.lower() for n in _NAME.findall(text)}


def candidate_features(texts: list[str], claims: list[str], *, k: int = TOP_K) -> tuple[np.ndarray, np.ndarray]:
    """(each text's top `k` claims by the shipped final score, RERANK_FEATURES of each text and candidate)."""
    batch = MatchBatch(texts, claims)
    direct, expanded, final = match_stages(batch)
    word, char, emb = batch.direct
    k = min(k, len(claims))
    top = np.argsort(-final, axis=1, kind="stable")[:, :k]
    best = final.argmax(axis=1)
    ordered = np.sort(final, axis=1)
    clear = ordered[:, -1] - (ordered[:, -2] if len(claims) > 1 else 0.0) >= EXPANSION_MARGIN
    support = np.bincount(best, minlength=len(claims))
    text_words = [set(words(t)) for t in texts]
    claim_words = [set(words(c)) for c in claims]
    frequency: Counter[str] = Counter()
    for bag in text_words + claim_words:
        frequency.update(bag)
    total = len(texts) + len(claims)

    def idf(bag: set[str]) -> float:
        return sum(math.log((total + 1) / (frequency[w] + 1)) + 1 for w in bag)

    # The words of the texts that pick each claim clearly: how its reports name the story.
    reported: list[Counter[str]] = [Counter() for _ in claims]
    for i in np.flatnonzero(clear):
        reported[best[i]].update(text_words[i])
    out = np.zeros((len(texts), k, len(RERANK_FEATURES)))
    for i, text in enumerate(texts):
        bag, candidates = text_words[i], top[i]
        text_weight = idf(bag) or 1.0
        numbers, names = _numbers(text), _names(text)
        for r, c in enumerate(candidates):
            own = claim_words[c]
            rivals = set().union(*(claim_words[o] for o in candidates if o != c))
            distinct, rival_distinct = own - rivals, rivals - own
            claim_weight = idf(own) or 1.0
            claim_numbers, claim_names = _numbers(claims[c]), _names(claims[c])
            mine = 1 if clear[i] and best[i] == c else 0  # leave the text itself out of its claim's report words
            report_words = {w for w in bag if reported[c][w] - mine > 0}
            out[i, r] = [
                final[i, c], final[i, c] - final[i, candidates].max(), r,
                direct[i, c], direct[i, c] - direct[i, candidates].max(),
                expanded[i, c], expanded[i, c] - expanded[i, candidates].max(),
                word[i, c], char[i, c], emb[i, c] if emb is not None else 0.0,
                math.log1p(support[c]),
                idf(bag & own) / claim_weight, idf(bag & own) / text_weight,
                idf(bag & distinct) / (idf(distinct) or 1.0), idf(bag & distinct) / text_weight,
                idf(distinct - bag) / claim_weight, idf(bag & rival_distinct) / text_weight,
                float(bool(numbers & claim_numbers)),
                float(bool(numbers) and bool(claim_numbers) and not numbers & claim_numbers),
                len(names & claim_names) / max(len(claim_names), 1), len(names & claim_names) / max(len(names), 1),
                idf(report_words) / text_weight,
                sum(min(reported[c][w] - mine, 3) for w in report_words) / max(len(bag), 1),
                math.log1p(sum(reported[c].values())),
            ]
    return top, out


def _fit(features: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, object]:
    from sklearn.linear_model import LogisticRegression

    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale, LogisticRegression(C=1.0, max_iter=5000).fit((features - mean) / scale, right)


def rerank_cv(data: Emergent, *, k: int = TOP_K, layouts: tuple[int | None, ...] = LAYOUTS,
              folds: int = FOLDS) -> dict:
    """Top-1 of the shipped ranking and of the re-ranker on each layout (each fold scored by a model fitted on the
    other folds), and their means."""
    runs = []
    for seed in layouts:
        parts = []
        for fold in fold_split(data, folds=folds, seed=seed):
            texts = [data.texts[i] for i in fold]
            top, features = candidate_features(texts, data.claims, k=k)
            parts.append((top, features, top == data.gold[fold][:, None]))
        ranked, reranked = [], []
        for j, (_top, features, right) in enumerate(parts):
            train = [p for i, p in enumerate(parts) if i != j]
            mean, scale, model = _fit(np.vstack([f.reshape(-1, f.shape[2]) for _t, f, _r in train]),
                                      np.concatenate([r.ravel() for _t, _f, r in train]))
            score = model.decision_function((features.reshape(-1, features.shape[2]) - mean) / scale)
            pick = score.reshape(right.shape).argmax(axis=1)
            ranked.append(right[:, 0])
            reranked.append(right[np.arange(len(right)), pick])
        runs.append({"layout": seed, "top1": round(float(np.concatenate(ranked).mean()), 4),
                     "reranked_top1": round(float(np.concatenate(reranked).mean()), 4)})
    return {"k": k, "runs": runs, "top1": round(float(np.mean([r["top1"] for r in runs])), 4),
            "reranked_top1": round(float(np.mean([r["reranked_top1"] for r in runs])), 4)}
