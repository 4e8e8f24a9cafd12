"""Emergent: stance by cross-validation grouped by claim, and matching each headline to its own claim."""

from __future__ import annotations

import csv
from pathlib import Path

STANCE_LABELS = {"for": "asserts", "against": "denies", "observing": "observes"}


def emergent_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def emergent_stance_cv(rows: list[dict[str, str]], *, folds: int = 5) -> dict[str, object]:
    """Accuracy and F1 of "against" by cross-validation with folds grouped by claim.

    No claim has headlines in both the training and the test rows of a fold; the model's own choice of
    regularisation and feature weights happens inside `stance_model_fit`, on the training rows only.
    """
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import GroupKFold

    from claims.analysis.stance import StanceModel
    from tools.training.stance import stance_model_fit

    claims = [r["claimHeadline"] for r in rows]
    texts = [r["articleHeadline"] for r in rows]
    gold = np.array([STANCE_LABELS[r["articleHeadlineStance"]] for r in rows])
    predicted = np.empty(len(rows), dtype=object)
    chosen = []
    for train, test in GroupKFold(n_splits=folds).split(texts, gold, [r["claimId"] for r in rows]):
        model = stance_model_fit(
            StanceModel(), [claims[i] for i in train], [texts[i] for i in train], list(gold[train])
        )
        predicted[test] = model.predict([claims[i] for i in test], [texts[i] for i in test])
        chosen.append({"C": model.c, "parse_weight": model.parse_weight})
    return {
        "rows": len(rows),
        "folds": folds,
        "accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "f1_against": round(float(f1_score(gold, predicted, labels=["denies"], average=None)[0]), 4),
        "macro_f1": round(float(f1_score(gold, predicted, average="macro")), 4),
        "chosen_per_fold": chosen,
    }


# The settings `emergent_matching` chooses among: similarity weights (word, char, embedding), claim expansion
# (weight, margin, rounds; weight 0 is none) and neighbour smoothing (neighbours, weight; 0 is none).
MATCH_GRID_WEIGHTS = ((0.4, 0.3, 0.3), (1 / 3, 1 / 3, 1 / 3), (0.5, 0.25, 0.25))
MATCH_GRID_EXPANSION = ((0.0, 0.0), *((e, m) for e in (1.0, 2.0, 4.0) for m in (0.05, 0.1)))
MATCH_GRID_ROUNDS = 2
MATCH_GRID_SMOOTHING = ((0, 0.0), (3, 0.2), (5, 0.2), (3, 0.4))


def emergent_matching(rows: list[dict[str, str]], *, folds: int = 5) -> dict[str, object]:
    """Top-1 accuracy of matching each headline to its own claim among all claims.

    Every setting in the grid is run once over all headlines (matching uses no label: expansion and
    smoothing only look at the texts). The reported `top1` is grouped cross-validation: the headlines
    are split into folds by claim, and each fold is scored with the setting that was best on the other
    folds' headlines. `selected` is the setting best on all headlines, the one `matching.py` ships;
    `top1_selected_in_sample` is its own (optimistic) figure, printed for comparison only.
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold

    from claims.analysis.matching import MatchBatch
    from claims.analysis.similarity import similarity

    claim_text: dict[str, str] = {}
    for r in rows:
        claim_text.setdefault(r["claimId"], r["claimHeadline"])
    ids = list(claim_text)
    index = {cid: i for i, cid in enumerate(ids)}
    texts = [r["articleHeadline"] for r in rows]
    gold = np.array([index[r["claimId"]] for r in rows])
    claims = [claim_text[cid] for cid in ids]

    batch = MatchBatch(texts, claims)
    settings: list[tuple[tuple[float, float, float], tuple[float, float, int], tuple[int, float]]] = []
    right: list[np.ndarray] = []
    for weights in MATCH_GRID_WEIGHTS:
        kernels = {n: batch.kernel(n, weights) for n, _ in MATCH_GRID_SMOOTHING if n}
        for expansion, margin in MATCH_GRID_EXPANSION:
            stream = batch.expansion_rounds(weights=weights, expansion=expansion, margin=margin)
            for rounds in range(1, MATCH_GRID_ROUNDS + 1) if expansion else (0,):
                scores = next(stream) if expansion else batch.scores(weights)
                for neighbours, weight in MATCH_GRID_SMOOTHING:
                    final = batch.smoothed(
                        scores, neighbours=neighbours, weight=weight, weights=weights, kernel=kernels.get(neighbours)
                    )
                    settings.append((weights, (expansion, margin, rounds), (neighbours, weight)))
                    right.append(final.argmax(axis=1) == gold)
    hits = np.array(right)  # settings x headlines
    cv_right = np.zeros(len(gold), dtype=bool)
    chosen = []
    for train, test in GroupKFold(n_splits=folds).split(texts, gold, gold):
        best = int(hits[:, train].mean(axis=1).argmax())
        chosen.append(best)
        cv_right[test] = hits[best, test]
    selected = int(hits.mean(axis=1).argmax())

    def describe(i: int) -> dict[str, object]:
        weights, (expansion, margin, rounds), (neighbours, weight) = settings[i]
        return {
            "weights": [round(w, 3) for w in weights],
            "expansion": expansion,
            "expansion_margin": margin,
            "expansion_rounds": rounds,
            "neighbours": neighbours,
            "neighbour_weight": weight,
        }

    first = settings.index(((0.4, 0.3, 0.3), (0.0, 0.0, 0), (0, 0.0)))
    word_only = similarity(texts, claims, weights=(1.0, 0.0, 0.0)).argmax(axis=1)
    return {
        "headlines": len(rows),
        "claims": len(ids),
        "folds": folds,
        "settings": len(settings),
        "top1": round(float(cv_right.mean()), 4),
        "chosen_per_fold": [describe(i) for i in chosen],
        "selected": describe(selected),
        "top1_selected_in_sample": round(float(hits[selected].mean()), 4),
        "top1_direct": round(float(hits[first].mean()), 4),
        "top1_word_tfidf": round(float((word_only == gold).mean()), 4),
    }
