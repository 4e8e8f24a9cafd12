"""Import a hand annotation shaped like the seed's gold.json as analyst-made data."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.annotations import AnnotationError, annotation_import


class Command(BaseCommand):
    help = "Import an annotation (articles, parties, claims, statements) in the shape of gold.json. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The annotation JSON; article files are read beside it.")

    def handle(self, *args, path: Path, **options):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise CommandError(f"{path} must hold a JSON object with articles, parties, claims and statements")
        try:
            report = annotation_import(data=data, base_dir=path.resolve().parent)
        except AnnotationError as exc:
            raise CommandError(f"nothing imported: {exc}") from None
        self.stdout.write(f"Imported {path}: {report.summary()}")
