"""`manage.py calibrate_confidence TRAIN_SPLIT --dev DEV_SPLIT`: fit the extraction's confidence map on PolNeAR
train and print how well raw and mapped confidences match the share right on dev."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Fit the map from raw extraction confidence to the share of PolNeAR attributions right; check on dev."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("train", type=Path, help="a PolNeAR split directory (text/, attributions/)")
        parser.add_argument("--dev", type=Path, required=True)
        parser.add_argument("--limit", type=int, default=None, help="only the first N training texts (by name)")
        parser.add_argument("--write", action="store_true", help="write claims/analysis/data/confidence.json")

    def handle(self, *args: Any, train: Path, dev: Path, limit: int | None, write: bool, **options: Any) -> None:
        from claims.analysis.confidence import MAP_PATH, calibrated
        from tools.training.confidence import brier, calibration_fit, calibration_write, reliability

        for split in (train, dev):
            if not (split / "text").is_dir():
                raise CommandError(f"{split} has no text/ directory")
        train_pairs = _pairs(train, limit)
        dev_pairs = _pairs(dev, None)
        fit = calibration_fit(train_pairs)
        steps = (tuple(fit["thresholds"]), tuple(fit["values"]))
        mapped = [(calibrated(c, steps=steps), ok) for c, ok in dev_pairs]
        out = {
            "train_predictions": len(train_pairs), "dev_predictions": len(dev_pairs),
            "dev_brier_raw": brier(dev_pairs), "dev_brier_mapped": brier(mapped),
            "dev_reliability_raw": reliability(dev_pairs), "dev_reliability_mapped": reliability(mapped),
            "map": fit,
        }
        self.stdout.write(json.dumps(out, indent=1))
        if write:
            calibration_write(fit, path=MAP_PATH, provenance={
                "corpus": "PolNeAR train", "texts": limit or "all", "command":
                f"manage.py calibrate_confidence {train} --dev {dev}" + (f" --limit {limit}" if limit else "") +
                " --write", "dev_brier_raw": out["dev_brier_raw"], "dev_brier_mapped": out["dev_brier_mapped"],
            })
            self.stdout.write(f"wrote {MAP_PATH}")


def _pairs(split: Path, limit: int | None) -> list[tuple[float, bool]]:
    from claims.analysis import analyse_documents
    from claims.analysis.extract import RAW_CONFIDENCE
    from claims.analysis.interchange import attribution_records
    from tools.evaluation.polnear import polnear_gold
    from tools.training.confidence import prediction_hits

    paths = sorted((split / "text").glob("*.txt"))[:limit]
    texts = {p.stem: p.read_text(encoding="utf-8") for p in paths}
    token = RAW_CONFIDENCE.set(True)
    try:
        results = analyse_documents(texts, [])
    finally:
        RAW_CONFIDENCE.reset(token)
    gold = {stem: attrs for stem, attrs in polnear_gold(split).items() if stem in texts}
    predictions = {doc: attribution_records(doc, statements) for doc, statements in results.items()}
    return prediction_hits(gold, predictions)
