"""Export the tracker's articles, parties, claims and statements in the shape of gold.json."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from claims.annotations import annotation_export


class Command(BaseCommand):
    help = "Write annotation.json and one .txt per article into a folder (re-importable with import_annotation)."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        annotation, texts = annotation_export()
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (folder / name).write_text(text, encoding="utf-8")
        out = folder / "annotation.json"
        out.write_text(json.dumps(annotation, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        counts = {key: len(annotation[key]) for key in ("articles", "parties", "claims", "statements")}
        self.stdout.write(f"Wrote {out}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
