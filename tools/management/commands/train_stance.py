"""`manage.py train_stance EMERGENT_CSV`: fit the stance model on Emergent headlines and write its weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Train the stance model on an Emergent CSV (claimHeadline, articleHeadline, articleHeadlineStance, ...)."
    # Pure model training: no system checks, no database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        from claims.analysis.stance import MODEL_PATH

        parser.add_argument("emergent_csv", type=Path)
        parser.add_argument("--output", type=Path, default=MODEL_PATH, help=f"where to write it (default {MODEL_PATH})")

    def handle(self, *args: Any, emergent_csv: Path, output: Path, **options: Any) -> None:
        from tools.training.stance import stance_model_train

        if not emergent_csv.is_file():
            raise CommandError(f"{emergent_csv} is not a file")
        self.stdout.write(str(stance_model_train(csv_path=emergent_csv, output=output)))
