"""Claim similarity, matching and clustering."""

from __future__ import annotations

from claims.analysis.matching import cluster_texts, match_claims
from claims.analysis.similarity import embedding_model, similarity, stem, words


def test_the_distilled_embedding_model_ships_with_the_package():
    assert embedding_model() is not None


def test_words_are_stemmed_content_words_with_numbers():
    assert words("The soldiers had shot down 84 F-16s") == ["soldier", "shot", "down", "84", "f-16"]
    assert stem("shelling") == "shell"


def test_same_claim_in_other_words_scores_higher_than_another_claim():
    scores = similarity(
        ["a drone strike killed a civilian inside the country"],
        ["a civilian was killed in a strike by an armed drone", "the ministry announced new gas prices"],
    )
    assert scores[0, 0] > scores[0, 1]


def test_match_claims_picks_the_claim_each_text_reports():
    claims = ["Apple will buy the music service Beats", "A meteorite hit a house in Ohio"]
    texts = ["Apple reportedly in talks to acquire Beats", "Ohio family says meteorite crashed through roof"]
    assert [index for index, _ in match_claims(texts, claims)] == [0, 1]


def test_match_claims_says_none_when_nothing_is_close():
    [(index, _score)] = match_claims(["Quarterly wheat harvest figures"], ["A meteorite hit a house in Ohio"])
    assert index is None


def test_cluster_groups_reports_of_one_claim():
    labels = cluster_texts(
        [
            "A Turkish F-16 shot down an Armenian jet",
            "An Armenian jet was shot down by a Turkish F-16",
            "Heavy rain flooded the capital",
        ]
    )
    assert labels[0] == labels[1] != labels[2]
