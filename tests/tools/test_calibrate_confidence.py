"""The extraction's confidence map (tools/training/confidence.py, claims/analysis/confidence.py) on invented
predictions: hits are scored as score_polnear.py scores attributions, the fitted map is monotone and calibrated."""

from __future__ import annotations

from claims.analysis.confidence import calibrated
from tools.training.confidence import brier, calibration_fit, prediction_hits, reliability


def _span(start: int, end: int) -> set[int]:
    return set(range(start, end))


def test_a_prediction_is_right_when_its_cue_source_and_content_match_a_gold_attribution():
    gold = {"a": [{"source": _span(0, 5), "cue": _span(6, 10), "content": _span(11, 40)}]}
    predictions = {"a": [
        {"source": [0, 5], "cue": [6, 10], "content": [11, 38], "confidence": 0.9},   # right
        {"source": [50, 55], "cue": [56, 60], "content": [61, 80], "confidence": 0.4},  # no gold cue there
    ]}
    assert prediction_hits(gold, predictions) == [(0.9, True), (0.4, False)]
    wrong_content = {"a": [{"source": [0, 5], "cue": [6, 10], "content": [30, 60], "confidence": 0.7}]}
    assert prediction_hits(gold, wrong_content) == [(0.7, False)]


def test_the_fitted_map_is_monotone_and_gives_the_share_right():
    pairs = [(0.3, False)] * 6 + [(0.3, True)] * 2 + [(0.6, True)] * 3 + [(0.6, False)] * 3 + [(0.9, True)] * 9 + [
        (0.9, False)
    ]
    fit = calibration_fit(pairs)
    assert fit == {"thresholds": [0.3, 0.6, 0.9], "values": [0.25, 0.5, 0.9]}
    steps = (tuple(fit["thresholds"]), tuple(fit["values"]))
    assert [calibrated(c, steps=steps) for c in (0.1, 0.3, 0.45, 0.6, 0.95)] == [0.25, 0.25, 0.25, 0.5, 0.9]
    mapped = [(calibrated(c, steps=steps), ok) for c, ok in pairs]
    assert brier(mapped) < brier(pairs)
    assert [(r["n"], r["right"]) for r in reliability(mapped)] == [(8, 0.25), (6, 0.5), (10, 0.9)]


def test_without_a_map_the_raw_score_stands():
    assert calibrated(0.42, steps=((), ())) == 0.42
