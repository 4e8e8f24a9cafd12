"""`manage.py bench_analysis`: words per second of bare spaCy and of the full analysis, on one core."""

from __future__ import annotations

import os

# One core, as the issue asks: numeric libraries must not fan out over threads.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import statistics  # noqa: E402 -- after the thread settings above
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.management.base import BaseCommand, CommandError, CommandParser  # noqa: E402

DEFAULT_TEXTS = Path(settings.BASE_DIR).parent / "shared" / "eval" / "polnear" / "dev" / "text"
# A checkout without ../shared beside it still measures something: the two demo articles shipped in the repo.
DEMO_TEXTS = Path(settings.BASE_DIR) / "sources" / "demo"


class Command(BaseCommand):
    help = "Median words/second of bare spaCy (nlp.pipe) and of the full analysis over the same texts, one core."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "texts", nargs="?", type=Path, default=None,
            help=f"folder of .txt files (default: {DEFAULT_TEXTS}, or the demo corpus {DEMO_TEXTS} when it is missing)",
        )
        parser.add_argument("--runs", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        from threadpoolctl import threadpool_limits

        from claims.analysis import analyse_documents
        from claims.analysis.nlp import get_nlp

        folder: Path | None = options["texts"]
        fallback = ""
        if folder is None:
            folder = DEFAULT_TEXTS
            if not any(folder.glob("*.txt")):
                fallback = (
                    f"no .txt files in {DEFAULT_TEXTS} (../shared missing?): measured on the demo corpus "
                    f"{DEMO_TEXTS.relative_to(settings.BASE_DIR)} instead, two short articles, not comparable with "
                    "the PolNeAR dev figures; pass a folder of .txt files to measure those"
                )
                folder = DEMO_TEXTS
        paths = sorted(folder.glob("*.txt"))
        if not paths:
            raise CommandError(f"no .txt files in {folder}")
        if fallback:
            self.stdout.write(fallback)
        texts = {p.stem: p.read_text(encoding="utf-8") for p in paths}
        words = sum(len(t.split()) for t in texts.values())
        nlp = get_nlp()
        # Warm-up: model load, embedding model load and first-call costs stay out of the timings.
        analyse_documents(dict(list(texts.items())[:2]), [])
        bare: list[float] = []
        full: list[float] = []
        with threadpool_limits(limits=1):
            for run in range(options["runs"]):
                # Alternate the order so that neither side always runs on a warmer (or busier) machine.
                for side in ("bare", "full") if run % 2 == 0 else ("full", "bare"):
                    started = time.perf_counter()
                    if side == "bare":
                        for _doc in nlp.pipe(texts.values(), batch_size=16):
                            pass
                        bare.append(words / (time.perf_counter() - started))
                    else:
                        analyse_documents(texts, [])
                        full.append(words / (time.perf_counter() - started))
        bare_wps, full_wps = statistics.median(bare), statistics.median(full)
        from claims.analysis.extract import DEFAULT_MODE

        self.stdout.write(
            f"texts {len(texts)}  words {words}  runs {options['runs']}  (median, one core; attribution {DEFAULT_MODE})"
        )
        self.stdout.write(f"bare spaCy     {bare_wps:8.0f} words/s")
        self.stdout.write(f"full analysis  {full_wps:8.0f} words/s")
        self.stdout.write(f"ratio          {full_wps / bare_wps:8.2f}")
