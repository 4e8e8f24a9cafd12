"""The re-ranker measurement (tools/training/rerank.py): its features on invented near-duplicate claims, the command."""

from __future__ import annotations

import json
from io import StringIO

import numpy as np
from django.core.management import call_command

from tests.tools.test_training_matching import _write
from tools.training import matching
from tools.training.rerank import RERANK_FEATURES, candidate_features, rerank_cv

# Two near-duplicate invented claims (same man, same army, different events) and one unrelated.
CLAIMS = [
    "Marshal Oskar Bremm resigned as head of the Velorian guard",
    "Marshal Oskar Bremm was arrested by Velorian police in 2031",
    "A giant squid washed up on a beach in Norvale",
]


def _feature(features: np.ndarray, top: np.ndarray, text: int, claim: int, name: str) -> float:
    [rank] = np.flatnonzero(top[text] == claim)
    return float(features[text, rank, RERANK_FEATURES.index(name)])


def test_the_words_that_tell_two_close_claims_apart_count_for_the_one_the_text_shares_them_with():
    texts = ["Velorian police arrest Marshal Bremm", "Bremm resigns as Velorian guard chief"]

    top, features = candidate_features(texts, CLAIMS, k=3)

    assert top.shape == (2, 3) and features.shape == (2, 3, len(RERANK_FEATURES))
    assert sorted(top[0].tolist()) == [0, 1, 2]
    assert _feature(features, top, 0, 1, "own_distinct_found") > _feature(features, top, 0, 0, "own_distinct_found")
    assert _feature(features, top, 0, 0, "rival_distinct_found") > _feature(features, top, 0, 1, "rival_distinct_found")
    assert _feature(features, top, 1, 0, "own_distinct_found") > _feature(features, top, 1, 1, "own_distinct_found")
    assert _feature(features, top, 0, 1, "names_of_text_found") == 1.0  # velorian, marshal, bremm all in the claim
    assert _feature(features, top, 0, 2, "names_of_text_found") == 0.0
    # The best-ranked candidate has no gap to itself.
    assert features[:, 0, RERANK_FEATURES.index("score_gap")].tolist() == [0.0, 0.0]


def test_numbers_that_disagree_clash_and_numbers_that_agree_are_shared():
    texts = ["Bremm arrested in 2031", "Bremm arrested in 2029"]

    top, features = candidate_features(texts, CLAIMS, k=3)

    assert _feature(features, top, 0, 1, "numbers_shared") == 1.0
    assert _feature(features, top, 0, 1, "numbers_clash") == 0.0
    assert _feature(features, top, 1, 1, "numbers_clash") == 1.0
    assert _feature(features, top, 1, 0, "numbers_clash") == 0.0  # the claim has no number to clash with


def test_the_reports_of_a_claim_lend_it_their_words_but_a_text_does_not_lend_its_own():
    texts = ["Velorian guard chief Bremm quits his post", "Guard chief Bremm quits", "Squid found in Norvale"]

    top, features = candidate_features(texts, CLAIMS, k=3)

    # "quits" and "chief" are in no claim; each of the first two texts finds them among the other's words only.
    assert _feature(features, top, 1, 0, "report_words_found") > 0.0
    assert _feature(features, top, 2, 2, "report_words_found") == 0.0  # its claim has no other report


def test_the_measurement_scores_each_fold_with_a_model_fitted_on_the_others(tmp_path):
    data = matching.Emergent.read(_write(tmp_path / "train.csv"))

    result = rerank_cv(data, k=3, layouts=(None, 1))

    assert [run["layout"] for run in result["runs"]] == [None, 1]
    assert result["top1"] == 1.0
    assert 0.5 <= result["reranked_top1"] <= 1.0


def test_the_command_measures_the_reranker_and_writes_nothing(tmp_path):
    path = _write(tmp_path / "train.csv")
    out = StringIO()

    call_command("train_matching", str(path), "--rerank-cv", "--json", "--out", str(tmp_path / "link.json"),
                 stdout=out, stderr=StringIO())

    result = json.loads(out.getvalue())
    assert result["k"] == 4 and len(result["runs"]) == len(matching.LAYOUTS)
    assert not (tmp_path / "link.json").exists()
