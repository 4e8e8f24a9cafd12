"""Acceptance test: the seed articles against their hand annotation (gold.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claims.analysis import analyse_documents
from claims.analysis.interchange import parties_from_json
from tools.evaluation.seed import seed_score


@pytest.fixture(scope="module")
def figures(seed_dir: Path) -> dict[str, object]:
    gold = json.loads((seed_dir / "gold.json").read_text(encoding="utf-8"))
    texts = {a["id"]: (seed_dir / a["file"]).read_text(encoding="utf-8") for a in gold["articles"]}
    return seed_score(gold, analyse_documents(texts, parties_from_json(gold)))


def test_every_claim_statement_found_with_right_party_and_stance(figures):
    assert (figures["claim_statements_right_party_and_stance"], figures["claim_statements"]) == (22, 22)


def test_f16_and_84_soldiers_are_each_one_claim_across_both_articles(figures):
    assert {k: v["one_claim_across_articles"] for k, v in figures["one_claim"].items()} == {
        "f16-shootdown": True,
        "karabakh-84-soldiers": True,
    }


def test_statements_found_and_extras(figures):
    assert (figures["statements_found"], figures["extra"]) == (38, 3)
