"""`manage.py extract FILE...`: attributed statements of plain-text articles as JSON lines (no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from claims.analysis.extract import DEFAULT_MODE, MODES


class Command(BaseCommand):
    help = (
        "Find attributed statements in plain-text articles and print one JSON line per statement: "
        "doc, source, cue, content (character offsets as score_polnear.py reads them), party, stance, claim_key."
    )
    # Pure text analysis: no system checks, no database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="plain-text articles, UTF-8")
        parser.add_argument("--parties", type=Path, help="JSON file with a `parties` list shaped like gold.json's")
        parser.add_argument(
            "--per-attribution",
            action="store_true",
            help="one line per attribution (conjoined speakers merged), as PolNeAR counts them",
        )
        parser.add_argument(
            "--attribution",
            choices=MODES,
            default=DEFAULT_MODE,
            help=f"learned model, rules, or both (default {DEFAULT_MODE}; docs/analysis.md 'Attribution model')",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from claims.analysis import analyse_documents
        from claims.analysis.interchange import attribution_records, parties_from_json, statement_record

        parties = (
            parties_from_json(json.loads(Path(options["parties"]).read_text(encoding="utf-8")))
            if options["parties"]
            else []
        )
        texts = {}
        for path in map(Path, options["files"]):
            name = path.name[:-4] if path.name.endswith(".txt") else path.name
            texts[name] = path.read_text(encoding="utf-8")
        results = analyse_documents(texts, parties, mode=options["attribution"])
        for doc, statements in results.items():
            if options["per_attribution"]:
                records = attribution_records(doc, statements)
            else:
                records = [statement_record(doc, s) for s in statements]
            for record in records:
                self.stdout.write(json.dumps(record, ensure_ascii=False))
