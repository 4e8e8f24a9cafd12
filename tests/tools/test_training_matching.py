"""Fitting and measuring the link decision (tools/training/matching.py) on a small invented Emergent-like file."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import numpy as np
from django.core.management import call_command

from claims.analysis.matching import LINK_FEATURES, link_models, match_decide
from tools.training import matching

# Eight invented claims with four reports each, in the columns of emergent-train.csv.
STORIES = {
    "The Velorian navy seized a cargo ship in the Strait of Kessa": [
        "Velorian navy seizes cargo ship in Kessa strait", "Cargo vessel seized by Velorian warships near Kessa",
        "Velorian sailors seize freighter in the Strait of Kessa", "Navy of Veloria takes cargo ship"],
    "A dam burst in northern Tarsk and flooded three villages": [
        "Dam bursts in northern Tarsk, three villages flooded", "Three Tarsk villages under water after dam burst",
        "Burst dam floods villages in north Tarsk", "Villages flooded as dam gives way in Tarsk"],
    "Marshal Oskar Bremm resigned as head of the Velorian guard": [
        "Marshal Oskar Bremm resigns as Velorian guard chief", "Velorian guard head Bremm steps down",
        "Oskar Bremm quits as head of the Velorian guard", "Guard chief Bremm resigns in Veloria"],
    "The Ordelian central bank raised its interest rate to 9 percent": [
        "Ordelian central bank raises rate to 9 percent", "Ordelia hikes interest rate to 9%",
        "Central bank of Ordelia lifts interest rate", "Interest rates up to 9 percent in Ordelia"],
    "A meteorite crashed through the roof of a school in Lindmark": [
        "Meteorite smashes school roof in Lindmark", "Space rock hits Lindmark school",
        "Lindmark school roof pierced by meteorite", "Meteorite lands in Lindmark classroom"],
    "Singer Ava Kettel cancelled her world tour": [
        "Ava Kettel cancels world tour", "Kettel calls off her world tour",
        "Singer Ava Kettel scraps tour dates worldwide", "World tour off, says Ava Kettel"],
    "A giant squid washed up on a beach in Norvale": [
        "Giant squid washes up on Norvale beach", "Norvale beachgoers find giant squid",
        "Huge squid found on beach in Norvale", "Giant squid stranded in Norvale"],
    "The Brevia football club fired its coach after five defeats": [
        "Brevia club sacks coach after five losses", "Coach fired by Brevia after fifth defeat",
        "Five defeats cost Brevia coach his job", "Brevia football club dismisses its coach"],
}


def _write(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["claimId", "claimHeadline", "articleId", "articleHeadline", "articleHeadlineStance"])
        for c, (claim, reports) in enumerate(STORIES.items()):
            for a, report in enumerate(reports):
                writer.writerow([f"c{c}", claim, f"a{c}-{a}", report, "for"])
    return path


def test_folds_keep_each_claim_whole_and_a_part_can_lose_its_own_claims(tmp_path):
    data = matching.Emergent.read(_write(tmp_path / "train.csv"))
    folds = matching.fold_split(data, folds=4, seed=1)

    assert sorted(np.concatenate(folds).tolist()) == list(range(32))
    assert all(len(set(data.gold[f]) & set(data.gold[g])) == 0 for i, f in enumerate(folds) for g in folds[i + 1:])
    part = matching.batch_part(data, folds[0])
    assert part.features.shape == part.absent.shape == (8, len(LINK_FEATURES))
    assert part.right.tolist() == [True] * 8


def test_the_threshold_is_the_lowest_probability_that_keeps_links_right_enough():
    prob = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    right = np.array([True, True, False, True, False])
    # At 0.8: 2 of 2 right; at 0.6: 3 of 4 (0.75); at 0.5: 3 of 5.
    assert matching.threshold_for(prob, right, target=0.75) == 0.6
    assert matching.threshold_for(prob, right, target=0.9) == 0.8
    assert matching.threshold_for(prob, np.zeros(5, bool), target=0.9) == 1.0


def test_the_command_measures_fits_and_writes_models_the_matcher_loads(tmp_path):
    path = _write(tmp_path / "train.csv")
    out_path = tmp_path / "link.json"
    out = StringIO()

    call_command("train_matching", str(path), "--json", out=str(out_path), stdout=out, stderr=StringIO())

    result = json.loads(out.getvalue())
    assert [run["layout"] for run in result["batch"]] == list(matching.LAYOUTS)
    assert result["batch_mean"]["top1"] == 1.0
    assert 0.0 <= result["single_mean"]["recall"] <= result["single_mean"]["top1"] == 1.0
    models = link_models(out_path)
    assert set(models) == {"batch", "single"}
    decisions = match_decide(["Giant squid found stranded on Norvale beach"], list(STORIES), models=models)
    assert decisions[0].best == 6
