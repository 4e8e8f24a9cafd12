"""`manage.py match FILE [--claims FILE]`: group texts by claim, or match them to known claims (no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        'Read JSON lines {"id", "text"}. Without --claims print {"id", "cluster"}: texts of one cluster report '
        'the same claim. With --claims (JSON lines {"id", "text"}) print {"id", "best", "score", "claim"}: the '
        "best claim's id and the probability that it is the text's own (even when low), and the decision: the "
        "claim id linked, or null when the best claim is not likely enough."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--claims", type=Path, help="JSON lines {id, text} of the known claims")

    def handle(self, *args: Any, **options: Any) -> None:
        from claims.analysis.matching import cluster_texts, match_decide

        rows = _read(Path(options["file"]))
        texts = [r["text"] for r in rows]
        if options["claims"]:
            claims = _read(Path(options["claims"]))
            decisions = match_decide(texts, [c["text"] for c in claims])
            for row, decision in zip(rows, decisions, strict=True):
                best = claims[decision.best]["id"] if decision.best is not None else None
                claim = claims[decision.claim]["id"] if decision.claim is not None else None
                self.stdout.write(json.dumps(
                    {"id": row.get("id"), "best": best, "score": decision.probability, "claim": claim},
                    ensure_ascii=False,
                ))
            return
        for row, label in zip(rows, cluster_texts(texts), strict=True):
            self.stdout.write(json.dumps({"id": row.get("id"), "cluster": label}, ensure_ascii=False))


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
