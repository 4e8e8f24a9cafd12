"""The calibrated link decision: the shipped link models, single texts and batches, bad model files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from claims.analysis import matching
from claims.analysis.matching import (
    BATCH_MIN,
    LINK_FEATURES,
    LINK_MODEL_PATH,
    SMALL_POOL_MIN_SIMILARITY,
    LinkModel,
    MatchBatch,
    link_features,
    link_models,
    match_decide,
)

CLAIMS = [
    "The Velorian navy seized a cargo ship in the Strait of Kessa",
    "A dam burst in northern Tarsk and flooded three villages",
    "Marshal Oskar Bremm resigned as head of the Velorian guard",
    "The Ordelian central bank raised its interest rate to 9 percent",
]
# Invented reports of each claim in other words (five each), for the batch setting.
REPORTS = {
    0: ["Velorian navy seizes cargo ship in Kessa strait", "Cargo vessel seized by Velorian warships near Kessa",
        "Velorian sailors board and seize freighter in the Strait of Kessa", "Navy of Veloria takes cargo ship",
        "Kessa strait: Velorian navy holds seized cargo ship"],
    1: ["Dam bursts in northern Tarsk, three villages flooded", "Three Tarsk villages under water after dam burst",
        "Flood from burst dam swamps villages in north Tarsk", "Northern Tarsk dam collapses, villages flooded",
        "Villages flooded as dam gives way in Tarsk"],
    2: ["Marshal Oskar Bremm resigns as Velorian guard chief", "Velorian guard head Bremm steps down",
        "Oskar Bremm quits as head of the Velorian guard", "Guard chief Bremm resigns in Veloria",
        "Bremm resignation: Velorian guard loses its marshal"],
    3: ["Ordelian central bank raises rate to 9 percent", "Ordelia hikes interest rate to 9%",
        "Central bank of Ordelia lifts interest rate to nine percent", "Ordelian bank rate rises to 9 percent",
        "Interest rates up to 9 percent in Ordelia"],
}
UNRELATED = ["Quarterly wheat harvest figures published", "Museum opens a new wing for modern sculpture"]


def test_the_shipped_models_are_there_with_thresholds_that_are_probabilities():
    models = link_models()
    assert set(models) == {"batch", "single"}
    for model in models.values():
        assert 0.0 < model.threshold < 1.0
        assert model.coef.shape == model.mean.shape == model.scale.shape == (len(LINK_FEATURES),)
    assert "train_matching" in json.loads(LINK_MODEL_PATH.read_text())["provenance"]


def test_a_model_file_with_other_features_is_refused(tmp_path):
    data = json.loads(LINK_MODEL_PATH.read_text())
    data["models"]["batch"]["features"] = ["score", "margin"]
    with pytest.raises(ValueError, match="are not"):
        LinkModel.from_json(data["models"]["batch"])


def test_a_text_alone_links_to_its_claim_and_an_unrelated_one_links_to_nothing():
    decisions = match_decide(["Velorian warships seize cargo ship in the Kessa strait", UNRELATED[0]], CLAIMS)

    assert [(d.best, d.claim) for d in decisions] == [(0, 0), (decisions[1].best, None)]
    assert decisions[1].best is not None  # the best claim is still given, below the threshold
    assert decisions[0].probability >= link_models()["single"].threshold > decisions[1].probability


def test_a_batch_of_reports_links_each_to_its_claim():
    texts = [t for reports in REPORTS.values() for t in reports]
    gold = [c for c, reports in REPORTS.items() for _ in reports]
    assert len(texts) >= BATCH_MIN

    decisions = match_decide(texts, CLAIMS)

    assert [(d.best, d.claim) for d in decisions] == [(c, c) for c in gold]
    assert all(d.probability >= link_models()["batch"].threshold for d in decisions)


def test_link_features_describe_each_text_and_its_best_claim():
    texts = ["Velorian navy seizes cargo ship in Kessa strait", "Ordelia hikes interest rate to 9%",
             "Ordelia hikes interest rate to 12%"]
    best, features = link_features(MatchBatch(texts, CLAIMS), texts, CLAIMS)
    column = {name: i for i, name in enumerate(LINK_FEATURES)}

    assert best.tolist() == [0, 3, 3]
    assert features.shape == (3, len(LINK_FEATURES))
    # 12 against the claim's 9: the numbers clash; 9 against 9 do not.
    assert features[:, column["numbers_clash"]].tolist() == [0.0, 0.0, 1.0]
    assert np.all(features[:, column["margin"]] > 0)
    assert features[:, column["support"]].tolist() == pytest.approx([np.log1p(1), np.log1p(2), np.log1p(2)])


def test_in_a_small_pool_a_weak_best_claim_is_not_linked_however_confident_the_margin(monkeypatch):
    claims = [
        "The mayor denied taking money from the guild",
        "The bridge over the river will reopen in spring",
        "A fire destroyed the old mill on Tuesday night",
        "Police arrested four men after the market riot",
        "Prices of bread rose for the third month running",
    ]
    text = "The guild wants the council to cut harbour fees"

    [decision] = match_decide([text], claims)
    # The single-text model alone would link it: the pool is too small for its margin features.
    monkeypatch.setattr(matching, "SMALL_POOL_MIN_SIMILARITY", 0.0)
    [unfloored] = match_decide([text], claims)

    assert (decision.best, decision.claim, decision.similarity < SMALL_POOL_MIN_SIMILARITY) == (0, None, True)
    assert unfloored.claim == 0


def test_in_a_small_pool_a_close_report_still_links():
    claims = [
        "A ferry captain rescued four fishermen off the northern cape",
        "The harbour festival was cancelled because of the storm",
    ]

    [decision] = match_decide(["Ferry captain rescues four fishermen off northern cape"], claims)

    assert (decision.claim, decision.similarity >= SMALL_POOL_MIN_SIMILARITY) == (0, True)
