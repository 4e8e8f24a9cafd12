"""`manage.py train_matching EMERGENT_TRAIN.csv`: measure the claim-link decision by grouped CV, then fit and
write the shipped link models (claims/analysis/data/match_link.json). No database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Grouped cross-validation of the claim-link decision on Emergent train (each fold's headlines matched "
        "together among all claims; model and threshold chosen on the other folds), then fit the link models "
        "on all headlines and write them."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("emergent", type=Path, help="emergent-train.csv")
        parser.add_argument("--no-write", action="store_true", help="measure only; keep the shipped models")
        parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
        parser.add_argument("--out", type=Path, default=None, help="where to write the models (default: shipped)")
        parser.add_argument("--rerank-cv", action="store_true",
                            help="only measure the learned re-ranker of the top candidates (not shipped) by the same "
                                 "grouped CV, and write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        from tools.training import matching

        path = Path(options["emergent"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        data = matching.Emergent.read(path)
        if options["rerank_cv"]:
            self._rerank_cv(data, as_json=options["json"])
            return
        self.stderr.write(f"{len(data.texts)} headlines, {len(data.claims)} claims; single-text features ...")
        single = matching.single_part(data, progress=self.stderr.write)
        result = matching.link_cv(data, single=single)
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            for setting in ("batch", "single"):
                self.stdout.write(f"== {setting}: {matching.FOLDS} folds grouped by claim, layouts "
                                  f"{list(matching.LAYOUTS)}")
                for run in result[setting]:
                    self.stdout.write(
                        f"  layout {run['layout']}: top-1 {run['top1']:.4f}  linked {run['linked']:.3f}  "
                        f"precision {run['precision']:.4f}  recall {run['recall']:.4f}  new stories linked "
                        f"{run['new_story_linked']:.4f}  thresholds {run['thresholds']}"
                    )
                mean = result[f"{setting}_mean"]
                self.stdout.write(
                    f"  mean: top-1 {mean['top1']:.4f}  linked {mean['linked']:.3f}  "
                    f"precision {mean['precision']:.4f}  recall {mean['recall']:.4f}  "
                    f"new stories linked {mean['new_story_linked']:.4f}"
                )
                self.stdout.write("  calibration (first layout): " + "; ".join(
                    f"{b['from']:.1f}-{b['to']:.1f}: {b['texts']} texts, p {b['mean_probability']:.3f}, right "
                    f"{b['right']:.3f}" for b in result[setting][0]["calibration"]))
        if options["no_write"]:
            return
        models = matching.link_models_fit(data, single=single)
        out = options["out"] or matching.LINK_MODEL_PATH
        matching.write_models(models, source=path.name, path=out)
        self.stderr.write(f"wrote {out} (thresholds: batch {models['batch']['threshold']}, "
                          f"single {models['single']['threshold']})")

    def _rerank_cv(self, data: Any, *, as_json: bool) -> None:
        from tools.training.rerank import rerank_cv

        result = rerank_cv(data)
        if as_json:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(f"== re-ranker over the top {result['k']}: batch setting, folds grouped by claim")
        for run in result["runs"]:
            self.stdout.write(f"  layout {run['layout']}: top-1 {run['top1']:.4f}  "
                              f"re-ranked {run['reranked_top1']:.4f}")
        self.stdout.write(f"  mean: top-1 {result['top1']:.4f}  re-ranked {result['reranked_top1']:.4f}")
