"""Stance of a headline towards a claim."""

from __future__ import annotations

import pytest

from claims.analysis.nlp import get_nlp
from claims.analysis.stance import load_stance_model, parse_features


def test_shipped_model_separates_denial_report_and_assertion():
    claim = "A man was bitten by a shark in the river"
    texts = [
        "Shark attack in the river was a hoax, police say it never happened",
        "Man reportedly bitten by shark in river, unconfirmed reports claim",
        "Man bitten by shark in the river",
    ]
    assert load_stance_model().predict([claim] * 3, texts) == ["denies", "observes", "asserts"]


def test_shipped_model_reads_source_prefix_and_debunking():
    claim = "A comet will hit the Moon next year"
    texts = [
        "Astronomers debunk claims that a comet will hit the Moon",
        "Comet could hit the Moon next year, scientists suggest",
    ]
    assert load_stance_model().predict([claim] * 2, texts) == ["denies", "observes"]


def _features(text: str, claim: str) -> dict[str, float]:
    nlp = get_nlp()
    return parse_features(nlp(text), nlp(claim))


def test_parse_features_mark_negated_root_and_refuting_words():
    f = _features("The minister did not resign, officials deny", "The minister resigned")
    assert f.get("pred_found") == 1
    assert f.get("pred_neg") == 1
    assert f["x_refute"] >= 1
    assert any(key.startswith("r:deny@") for key in f)


def test_parse_features_count_only_hedges_the_claim_lacks():
    claim = "A sailor says he saw a sea serpent"
    assert _features("Sailor says he saw a sea serpent", claim)["x_hedge"] == 0
    assert _features("Sailor reportedly says he saw a sea serpent", claim)["x_hedge"] == 1


@pytest.mark.parametrize(
    ("text", "feature"),
    [
        ("Ministry: the dam was opened", "colon_prefix"),
        ("Was the dam opened?", "qend"),
        ("The dam was opened - Reuters", "trailing_source"),
    ],
)
def test_parse_features_see_layout_of_sources_and_questions(text, feature):
    assert _features(text, "The dam was opened").get(feature) == 1


def test_parse_features_compare_numbers_and_modals():
    claim = "The company will sell 40 planes"
    weakened = _features("The company could sell 40 planes", claim)
    assert weakened.get("pred_weak_md") == 1
    assert weakened.get("num_match") == 1
    assert _features("The company will sell 12 planes", claim).get("num_diff") == 1
