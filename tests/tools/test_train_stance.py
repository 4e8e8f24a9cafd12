"""Training the stance model: the grouped inner search and what the shipped model was tuned with."""

from __future__ import annotations

from claims.analysis.stance import StanceModel, load_stance_model
from tools.training.stance import GRID, stance_model_fit


def test_shipped_model_was_tuned_inside_its_training_data():
    model = load_stance_model()
    assert (model.c, model.parse_weight) in GRID
    assert set(model.inner_scores) == set(GRID)
    assert model.inner_scores[(model.c, model.parse_weight)] == max(model.inner_scores.values())


def test_model_learns_from_labelled_examples():
    claims = ["X happened"] * 6
    texts = ["X is fake", "X is a hoax", "X may have happened", "X reportedly happened", "X happened", "X did happen"]
    labels = ["against", "against", "observing", "observing", "for", "for"]
    model = stance_model_fit(StanceModel(c=100.0), claims, texts, labels)
    assert model.predict(["X happened"], ["X is a fake hoax"]) == ["denies"]
    # One claim cannot be split by claim: the given C and the middle parse weight, no inner search.
    assert (model.c, model.parse_weight) == (100.0, 0.5)
    assert model.inner_scores == {}
    assert model.predict([], []) == []


def test_inner_search_scores_every_setting_on_held_out_claims():
    claims, texts, labels = [], [], []
    for topic in ("the bridge collapsed", "the mayor resigned", "the river flooded", "the zoo closed"):
        claims += [topic] * 3
        texts += [f"{topic} is a hoax", f"{topic}, reports say", topic]
        labels += ["against", "observing", "for"]
    model = stance_model_fit(StanceModel(inner_folds=2), claims, texts, labels)
    assert set(model.inner_scores) == set(GRID)
    assert all(0.0 <= score <= 1.0 for score in model.inner_scores.values())
    assert model.inner_scores[(model.c, model.parse_weight)] == max(model.inner_scores.values())
