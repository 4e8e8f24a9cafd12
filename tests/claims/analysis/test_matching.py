"""Claim matching: claim expansion, neighbour smoothing and the grouped-CV evaluation."""

from __future__ import annotations

import numpy as np
import pytest

from claims.analysis.matching import MATCH_WEIGHTS, MatchBatch, _clear_choices, link_features, match_scores
from claims.analysis.similarity import Spaces, combine
from tools.evaluation.emergent import emergent_matching

CLAIMS = [
    "Marshal Oskar Bremm of the Velorian guard was killed in a drone strike",
    "The leader of the Tarsk rebels was killed in a drone strike",
]
# Reports of the first claim: two name the marshal, two do not; the fourth, by its own words, leans (by a hair,
# not clearly) to the second claim, which also has a "leader" killed in a drone strike.
TEXTS = [
    "Velorian guard commander Oskar Bremm killed in drone strike near Kessa",
    "Drone strike kills Marshal Oskar Bremm, Velorian guard chief, near Kessa",
    "Velorian guard commander killed near Kessa, leader dead",
    "Velorian leader killed in a drone strike",
    "Tarsk rebel leader killed by drone in the mountains",
]


def test_expanded_cosines_equal_cosines_with_explicit_expanded_vectors():
    batch = MatchBatch(TEXTS, CLAIMS)
    assign = np.array([[0.5, 0.5, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0]])
    word, char, emb = batch._expanded(assign, 2.0)
    spaces = Spaces(TEXTS + CLAIMS)
    q_word, q_char, q_emb = spaces.encode(TEXTS)
    c_word, c_char, c_emb = spaces.encode(CLAIMS)

    def expanded(claims: np.ndarray, texts: np.ndarray) -> np.ndarray:
        mean = assign @ texts
        mean /= np.linalg.norm(mean, axis=1, keepdims=True)
        vectors = claims + 2.0 * mean
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    assert np.allclose(word, q_word.toarray() @ expanded(c_word.toarray(), q_word.toarray()).T)
    if emb is not None:
        assert np.allclose(emb, q_emb @ expanded(c_emb, q_emb).T, atol=1e-5)
    assert np.allclose(char, q_char.toarray() @ expanded(c_char.toarray(), q_char.toarray()).T)


def test_only_texts_that_clearly_pick_a_claim_expand_it():
    scores = np.array([[0.9, 0.1], [0.5, 0.48], [0.2, 0.6], [0.7, 0.2]])
    assign = _clear_choices(scores, 0.05)
    # Text 1 leads by 0.02 only: it expands nothing; claim 0 takes texts 0 and 3, averaged.
    assert assign.tolist() == [[0.5, 0.0, 0.0, 0.5], [0.0, 0.0, 1.0, 0.0]]


def test_expansion_moves_a_vague_report_to_the_claim_its_fellow_reports_name():
    batch = MatchBatch(TEXTS, CLAIMS)
    direct = batch.scores(MATCH_WEIGHTS)
    expanded = next(batch.expansion_rounds(weights=MATCH_WEIGHTS, expansion=2.0, margin=0.05))
    vague = 3
    assert direct[vague].argmax() == 1
    assert expanded[vague].argmax() == 0
    # The first claim took the texts that pick it clearly; the vague one, not clear, expanded nothing.
    assert expanded[0, 0] > direct[0, 0] and expanded[4, 1] > direct[4, 1]
    best, _features = link_features(batch, TEXTS, CLAIMS)
    assert best.tolist() == [0, 0, 0, 0, 1]


def test_match_scores_without_expansion_or_neighbours_is_the_direct_similarity():
    batch = MatchBatch(TEXTS, CLAIMS)
    plain = match_scores(TEXTS, CLAIMS, neighbours=0, weight=0.0, expansion=0.0)
    assert np.allclose(plain, combine(*batch.direct, MATCH_WEIGHTS))
    assert match_scores([], CLAIMS).shape == (0, 2)
    assert match_scores(TEXTS, []).shape == (5, 0)


def test_neighbour_kernel_rows_are_weights_over_other_texts():
    kernel = MatchBatch(TEXTS, CLAIMS).kernel(2).toarray()
    assert np.allclose(kernel.sum(axis=1), 1.0)
    assert np.all(np.diag(kernel) == 0.0)
    assert np.all((kernel > 0).sum(axis=1) == 2)


@pytest.fixture(scope="module")
def emergent_like_rows():
    claims = {
        "c1": "A nun in a convent in Ardenne gave birth to a boy",
        "c2": "A woman tried to eat her baby after giving birth",
        "c3": "The ministry of Velor raised fuel prices by 20 percent",
    }
    headlines = {
        "c1": [
            "Nun in Ardenne convent gives birth to baby boy",
            "Nun gives birth after stomach pains, convent says",
            "Convent nun had no idea she was pregnant, gives birth",
            "Nun gives birth to surprise baby",
        ],
        "c2": ["Mother tries to eat her newborn baby after giving birth", "Woman tried to eat baby, police say"],
        "c3": ["Velor raises fuel prices by a fifth", "Fuel up 20 percent in Velor", "Velor fuel price rise"],
    }
    return [
        {"claimId": cid, "claimHeadline": claims[cid], "articleHeadline": text, "articleHeadlineStance": "for"}
        for cid, texts in headlines.items()
        for text in texts
    ]


def test_emergent_matching_reports_grouped_cross_validation(emergent_like_rows):
    result = emergent_matching(emergent_like_rows, folds=3)
    assert result["headlines"] == 9 and result["claims"] == 3 and result["folds"] == 3
    assert len(result["chosen_per_fold"]) == 3
    assert result["settings"] > 1
    # Each fold is scored with a setting chosen on the other claims' reports only; at most one nun report
    # (they share "gives birth" and "baby" with the other claim) may go astray.
    assert result["top1"] >= 8 / 9
    assert result["top1_direct"] <= 1.0 and 0.0 < result["top1_word_tfidf"] <= 1.0
    assert set(result["selected"]) == {
        "weights", "expansion", "expansion_margin", "expansion_rounds", "neighbours", "neighbour_weight",
    }
