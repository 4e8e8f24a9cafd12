"""Calibration of the extraction's confidence on PolNeAR: how often a statement of a given raw confidence is an
attribution the annotators made too (scored as score_polnear.py scores it), fitted as a monotone step map."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from tools.evaluation.polnear import attribution_right, cue_pairs, prediction_chars

# Raw confidences fall on a handful of values (construction x speaker resolution); ten bins are enough to see them.
EDGES = tuple(round(0.1 * i, 1) for i in range(11))


def prediction_hits(
    gold: dict[str, list[dict[str, set[int]]]], predictions: dict[str, list[dict[str, object]]]
) -> list[tuple[float, bool]]:
    """(confidence, right) for every prediction: right when score_polnear.py's greedy match pairs it with a gold
    attribution whose source it overlaps and whose content it covers at char-F1 >= 0.5."""
    out: list[tuple[float, bool]] = []
    for stem, preds_raw in predictions.items():
        preds = [prediction_chars(p) for p in preds_raw]
        right = [False] * len(preds)
        for g, best in cue_pairs(gold.get(stem, []), preds):
            right[best] = attribution_right(g, preds[best])
        out.extend((float(p.get("confidence", 0.0)), ok) for p, ok in zip(preds_raw, right, strict=True))
    return out


def reliability(pairs: list[tuple[float, bool]], edges: tuple[float, ...] = EDGES) -> list[dict[str, float]]:
    """Per confidence bin: how many predictions, their mean confidence, and the share that is right."""
    rows = []
    for low, high in itertools.pairwise(edges):
        inside = [(c, ok) for c, ok in pairs if low <= c < high or (high == edges[-1] and c == high)]
        if inside:
            rows.append({"low": low, "high": high, "n": len(inside),
                         "confidence": round(sum(c for c, _ in inside) / len(inside), 3),
                         "right": round(sum(ok for _, ok in inside) / len(inside), 3)})
    return rows


def brier(pairs: list[tuple[float, bool]]) -> float:
    return round(sum((c - ok) ** 2 for c, ok in pairs) / len(pairs), 4) if pairs else 0.0


def calibration_fit(pairs: list[tuple[float, bool]]) -> dict[str, list[float]]:
    """A monotone step map raw -> share right (isotonic regression, pooled adjacent violators), as thresholds and
    values: a raw confidence takes the value of the last threshold at or below it."""
    from sklearn.isotonic import IsotonicRegression

    raws = sorted({round(c, 3) for c, _ in pairs})
    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(
        [c for c, _ in pairs], [float(ok) for _, ok in pairs]
    )
    values = [round(float(v), 3) for v in model.predict(raws)]
    return {"thresholds": raws, "values": values}


def calibration_write(fit: dict[str, list[float]], *, path: Path, provenance: dict[str, object]) -> None:
    path.write_text(json.dumps({**fit, "provenance": provenance}, indent=1) + "\n", encoding="utf-8")
