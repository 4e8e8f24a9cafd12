"""`manage.py match FILE [--claims FILE]`: group texts by claim, or match them to known claims (no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        'Read JSON lines {"id", "text"}. Without --claims print {"id", "cluster"}: texts of one cluster report '
        'the same claim. With --claims (JSON lines {"id", "text"}) print {"id", "claim", "score"}: the best '
        "matching claim id, or null when none is close enough."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--claims", type=Path, help="JSON lines {id, text} of the known claims")

    def handle(self, *args: Any, **options: Any) -> None:
        from claims.analysis.matching import cluster_texts, match_claims

        rows = _read(Path(options["file"]))
        texts = [r["text"] for r in rows]
        if options["claims"]:
            claims = _read(Path(options["claims"]))
            matches = match_claims(texts, [c["text"] for c in claims])
            for row, (index, score) in zip(rows, matches, strict=True):
                claim_id = claims[index]["id"] if index is not None else None
                self.stdout.write(
                    json.dumps({"id": row.get("id"), "claim": claim_id, "score": score}, ensure_ascii=False)
                )
            return
        for row, label in zip(rows, cluster_texts(texts), strict=True):
            self.stdout.write(json.dumps({"id": row.get("id"), "cluster": label}, ensure_ascii=False))


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
