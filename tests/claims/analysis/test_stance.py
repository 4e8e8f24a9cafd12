"""Stance of a headline towards a claim."""

from __future__ import annotations

from claims.analysis.stance import StanceModel, load_stance_model


def test_shipped_model_separates_denial_report_and_assertion():
    claim = "A man was bitten by a shark in the river"
    texts = [
        "Shark attack in the river was a hoax, police say it never happened",
        "Man reportedly bitten by shark in river, unconfirmed reports claim",
        "Man bitten by shark in the river",
    ]
    assert load_stance_model().predict([claim] * 3, texts) == ["denies", "observes", "asserts"]


def test_model_learns_from_labelled_examples():
    claims = ["X happened"] * 6
    texts = ["X is fake", "X is a hoax", "X may have happened", "X reportedly happened", "X happened", "X did happen"]
    labels = ["against", "against", "observing", "observing", "for", "for"]
    model = StanceModel(c=100.0).fit(claims, texts, labels)
    assert model.predict(["X happened"], ["X is a fake hoax"]) == ["denies"]
