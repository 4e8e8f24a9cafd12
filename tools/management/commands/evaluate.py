"""`manage.py evaluate`: seed figures, PolNeAR attribution scores, Emergent stance and matching (no database)."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Score the language analysis on the seed annotation, PolNeAR (attribution) and Emergent (stance, matching)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=Path, help="folder with gold.json and the articles it names")
        parser.add_argument("--polnear", type=Path, help="a PolNeAR split folder with text/ and attributions/")
        parser.add_argument("--emergent", type=Path, help="Emergent CSV (claimId, claimHeadline, articleHeadline, ...)")
        parser.add_argument("--predictions", type=Path, help="also write the PolNeAR predictions (JSON lines) here")
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")

    def handle(self, *args: Any, **options: Any) -> None:
        report: dict[str, Any] = {}
        if options["seed"]:
            report["seed"] = self._seed(options["seed"])
        if options["polnear"]:
            report["polnear"] = self._polnear(options["polnear"], options["predictions"])
        if options["emergent"]:
            report["emergent"] = self._emergent(options["emergent"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))

    def _say(self, text: str) -> None:
        if not self._options_json:
            self.stdout.write(text)

    def execute(self, *args: Any, **options: Any) -> Any:
        self._options_json = options.get("json", False)
        return super().execute(*args, **options)

    def _seed(self, seed_dir: Path) -> dict[str, Any]:
        from claims.analysis import analyse_documents
        from claims.analysis.interchange import parties_from_json
        from tools.evaluation.seed import seed_score

        gold = json.loads((seed_dir / "gold.json").read_text(encoding="utf-8"))
        texts = {a["id"]: (seed_dir / a["file"]).read_text(encoding="utf-8") for a in gold["articles"]}
        figures = seed_score(gold, analyse_documents(texts, parties_from_json(gold)))
        self._say("== seed")
        self._say(
            f"claim statements with right party and stance: {figures['claim_statements_right_party_and_stance']}"
            f" of {figures['claim_statements']}"
        )
        for claim_id, check in figures["one_claim"].items():
            self._say(
                f"{claim_id} one claim across both articles: "
                f"{'yes' if check['one_claim_across_articles'] else 'no'} {check['keys']}"
            )
        self._say(f"statements found: {figures['statements_found']} of {figures['statements']}")
        self._say(f"extracted: {figures['extracted']}  extra: {figures['extra']}")
        for line in figures["missing_claim_statements"]:
            self._say(f"  missing: {line}")
        for line in figures["extra_statements"]:
            self._say(f"  extra: {line}")
        return figures

    def _polnear(self, split: Path, predictions_path: Path | None) -> dict[str, Any]:
        from claims.analysis import analyse_documents
        from claims.analysis.interchange import attribution_records
        from tools.evaluation.polnear import polnear_gold, polnear_score, polnear_texts

        texts = polnear_texts(split)
        started = time.perf_counter()
        results = analyse_documents(texts, [])
        seconds = time.perf_counter() - started
        predictions = {doc: attribution_records(doc, statements) for doc, statements in results.items()}
        if predictions_path:
            with open(predictions_path, "w", encoding="utf-8") as handle:
                for records in predictions.values():
                    for record in records:
                        handle.write(json.dumps(record) + "\n")
        result = polnear_score(polnear_gold(split), predictions)
        result["seconds"] = round(seconds, 1)
        official = _official_scorer(split)
        if official is not None:
            # The scorer beside the data is the reference: say whether our re-implementation agrees.
            result["official_scorer_agrees"] = (
                official.score(official.load_gold(str(split)), predictions)["attribution"] == result["attribution"]
            )
        self._say(
            f"== PolNeAR {split.name}: documents {result['documents']}  gold {result['gold']}"
            f"  predicted {result['predicted']}  ({result['seconds']} s)"
        )
        for key in ("cue", "attribution"):
            r = result[key]
            self._say(f"{key:12s} P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}")
        self._say(
            f"source char-F1 {result['source_char_f1']:.3f}  content char-F1 {result['content_char_f1']:.3f}"
            "  (over cue-matched pairs)"
        )
        if official is not None:
            self._say(
                f"official score_polnear.py gives the same attribution figures: {result['official_scorer_agrees']}"
            )
        return result

    def _emergent(self, csv_path: Path) -> dict[str, Any]:
        from tools.evaluation.emergent import emergent_matching, emergent_rows, emergent_stance_cv

        rows = emergent_rows(csv_path)
        stance = emergent_stance_cv(rows)
        self._say(f"== Emergent stance ({stance['rows']} headlines, {stance['folds']}-fold CV grouped by claimId)")
        self._say(
            f"accuracy {stance['accuracy']:.3f}  F1(against) {stance['f1_against']:.3f}"
            f"  macro-F1 {stance['macro_f1']:.3f}"
        )
        matching = emergent_matching(rows)
        self._say(f"== Emergent claim matching ({matching['headlines']} headlines against {matching['claims']} claims)")
        self._say(
            f"top-1 {matching['top1']:.3f}  ({matching['folds']}-fold CV grouped by claimId, each fold's setting chosen"
            f" among {matching['settings']} on the other folds)"
        )
        self._say(
            f"shipped setting {json.dumps(matching['selected'])}: {matching['top1_selected_in_sample']:.3f} in sample;"
            f" direct similarity {matching['top1_direct']:.3f}, word TF-IDF alone {matching['top1_word_tfidf']:.3f}"
        )
        return {"stance": stance, "matching": matching}


def _official_scorer(split: Path) -> Any:
    """score_polnear.py from the evaluation folder the split sits in, if it is there."""
    for folder in (split.parent, split.parent.parent):
        path = folder / "score_polnear.py"
        if path.exists():
            spec = importlib.util.spec_from_file_location("score_polnear", path)
            if spec and spec.loader:
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                return module
    return None
