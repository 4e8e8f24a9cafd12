"""Training of the stance model (claims.analysis.stance.StanceModel) on Emergent headlines.

`manage.py train_stance ../shared/eval/emergent/emergent-train.csv` writes claims/analysis/data/stance.joblib.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from claims.analysis.stance import LABELS, MODEL_PATH, StanceModel

# Regularisation and the weight of the parse features, chosen inside `stance_model_fit` by grouped
# cross-validation on the training data alone (never on the texts scored later).
GRID = tuple((c, parse_weight) for c in (0.5, 1.0, 2.0) for parse_weight in (0.3, 0.5, 1.0))


def _tune(
    model: StanceModel, blocks: list[csr_matrix], labels: np.ndarray, claims: Sequence[str]
) -> tuple[float, float]:
    """The (C, parse weight) with the best accuracy over folds of the training rows grouped by claim.

    The vectorisers were fitted on all training texts (no labels involved); each candidate model
    is fitted on some claims' rows and scored on the others'.
    """
    from sklearn.model_selection import GroupKFold

    grid = [(model.c or c, model.parse_weight or w) for c, w in GRID]
    grid = list(dict.fromkeys(grid))
    folds = min(model.inner_folds, len(set(claims)))
    if len(grid) == 1 or folds < 2:
        return grid[len(grid) // 2]
    splits = list(GroupKFold(n_splits=folds).split(labels, labels, list(claims)))
    for c, weight in grid:
        x = model.stack(blocks, weight)
        right = 0
        for train, test in splits:
            if len(set(labels[train])) < 2:
                continue
            candidate = LogisticRegression(C=c, max_iter=3000).fit(x[train], labels[train])
            right += int((candidate.predict(x[test]) == labels[test]).sum())
        model.inner_scores[(c, weight)] = right / len(labels)
    return max(grid, key=lambda cw: model.inner_scores[cw])


def stance_model_fit(
    model: StanceModel, claims: Sequence[str], texts: Sequence[str], labels: Sequence[str]
) -> StanceModel:
    """Fit `model` on (claim, text, label) triples (Emergent's for/against/observing or our stance names).

    `c` and `parse_weight` left as None on the model are chosen from `GRID` by `inner_folds`-fold
    cross-validation over the training rows, grouped by claim, so no claim is both fitted and scored.
    """
    y = np.asarray([LABELS.get(label, label) for label in labels])
    blocks = model.blocks(claims, texts, fit=True)
    model.c, model.parse_weight = _tune(model, blocks, y, claims)
    model.model = LogisticRegression(C=model.c, max_iter=3000).fit(model.stack(blocks, model.parse_weight), y)
    return model


def stance_model_train(*, csv_path: Path, output: Path = MODEL_PATH) -> Path:
    """Fit a fresh model on an Emergent CSV and write it (joblib) to `output`."""
    import joblib

    from tools.evaluation.emergent import emergent_rows

    rows = emergent_rows(csv_path)
    model = stance_model_fit(
        StanceModel(),
        [r["claimHeadline"] for r in rows],
        [r["articleHeadline"] for r in rows],
        [r["articleHeadlineStance"] for r in rows],
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, output, compress=3)
    return output
