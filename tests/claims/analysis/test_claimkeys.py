"""Claim keys within a run: clusters of similar claims, targets kept apart, anaphoric statements."""

from __future__ import annotations

from claims.analysis.claimkeys import assign_claim_keys
from claims.analysis.records import ExtractedStatement


def statement(text: str, party: str, *, stance: str = "asserts", target: str | None = None,
              anaphoric: bool = False) -> ExtractedStatement:
    return ExtractedStatement(
        speaker=None, party_id=party, proposed_party=None, cue=[], content=[], direct=False,
        stance=stance, confidence=0.9, claim_text=text, anaphoric=anaphoric, target_party_id=target,
    )


def test_one_claim_reported_in_two_articles_gets_one_key():
    results = {
        "a": [statement("a Velorian gunboat sank a fishing trawler off Kessa, killing six sailors", "ostmark")],
        "b": [
            statement("six sailors died when a fishing trawler was sunk by a Velorian gunboat off Kessa", "navy"),
            statement("grain exports rose by a tenth in the spring", "velor"),
        ],
    }
    assign_claim_keys(results)
    assert results["a"][0].claim_key == results["b"][0].claim_key
    assert results["b"][1].claim_key not in (None, results["a"][0].claim_key)


def test_accusations_with_different_accused_parties_never_share_a_key():
    results = {
        "a": [
            statement("Velor shelling villages across the border", "ostmark", target="velor"),
            statement("Ostmark shelling villages across the border", "velor", target="ostmark"),
        ]
    }
    assign_claim_keys(results)
    first, second = results["a"]
    assert first.claim_key and second.claim_key and first.claim_key != second.claim_key


def test_an_anaphoric_denial_takes_the_key_of_the_claim_another_party_made():
    results = {
        "a": [
            statement("a Velorian gunboat sank a fishing trawler off Kessa", "ostmark"),
            statement("the claim", "velor", stance="denies", anaphoric=True),
        ]
    }
    assign_claim_keys(results)
    claim, denial = results["a"]
    assert denial.claim_key == claim.claim_key is not None


def test_positions_get_no_key():
    results = {"a": [statement("all sides should return to talks", "velor", stance="position")]}
    assign_claim_keys(results)
    assert results["a"][0].claim_key is None
