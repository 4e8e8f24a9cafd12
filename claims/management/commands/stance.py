"""`manage.py stance FILE`: stance of each text towards its claim, JSON lines in and out (no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = 'Read JSON lines {"id", "claim", "text"}; print {"id", "stance"} with stance asserts, denies or observes.'
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="JSON lines; '-' for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        from claims.analysis.stance import load_stance_model

        rows = [json.loads(line) for line in _lines(Path(options["file"])) if line.strip()]
        labels = load_stance_model().predict([r.get("claim", "") for r in rows], [r["text"] for r in rows])
        for row, label in zip(rows, labels, strict=True):
            self.stdout.write(json.dumps({"id": row.get("id"), "stance": label}, ensure_ascii=False))


def _lines(path: Path) -> list[str]:
    if str(path) == "-":
        import sys

        return sys.stdin.read().splitlines()
    return path.read_text(encoding="utf-8").splitlines()
