"""Extraction throughput over the stored benchmark pages: articles per second on one core, median of runs."""

import statistics
import time
from pathlib import Path

import trafilatura
from django.core.management.base import BaseCommand, CommandError

from sources.extraction import html_extract
from tools.bench.make_pages import PAGES_DIR


class Command(BaseCommand):
    help = (
        "Time the extraction step (trafilatura plus our paragraph rendering, dateline and language detection) "
        "over the fixed pages in tools/bench/pages, in this one process (one core); no network, no database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5, help="Timed passes over all pages (default 5).")
        parser.add_argument("--pages", type=Path, default=PAGES_DIR, help="A folder of .html files.")

    def _rate(self, pages: list[tuple[str, str]], runs: int, extract) -> tuple[float, list[float]]:
        for url, page in pages:  # warm-up: imports, the language model, lxml caches
            extract(url, page)
        rates = []
        for _ in range(runs):
            started = time.process_time()  # CPU time of this process: per-core, not disturbed by other load
            for url, page in pages:
                extract(url, page)
            rates.append(len(pages) / (time.process_time() - started))
        return statistics.median(rates), rates

    def handle(self, *args, runs: int, pages: Path, **options):
        files = sorted(pages.glob("*.html"))
        if not files or runs < 1:
            raise CommandError(f"no .html pages in {pages}" if not files else "--runs must be at least 1")
        loaded = [(f"https://news.example/{f.stem}", f.read_text(encoding="utf-8")) for f in files]
        size = sum(len(page) for _, page in loaded) / len(loaded) / 1024
        ours, our_runs = self._rate(loaded, runs, lambda url, page: html_extract(html=page, url=url))
        bare, _ = self._rate(
            loaded, runs,
            lambda url, page: trafilatura.extract(page, url=url, with_metadata=True, include_comments=False),
        )
        self.stdout.write(
            f"{len(loaded)} pages (mean {size:.0f} KiB), {runs} runs, CPU time of one process:\n"
            f"  pipeline extraction (sources.extraction.html_extract): {ours:.1f} articles/s per core (median; "
            f"runs: {', '.join(f'{r:.1f}' for r in our_runs)})\n"
            f"  trafilatura.extract alone, for comparison:            {bare:.1f} articles/s per core (median)"
        )
