"""`manage.py bench`: the scale benchmark (tools/bench/scale.py) on a database of its own, into docs/benchmarks.md."""

from __future__ import annotations

import io
import re
import shlex
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tools.bench import scale as bench

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def _spliced(path: Path, report: str) -> str:
    """The report between the markers of an existing file, whose hand-written notes around them are kept."""
    block = f"{BEGIN}\n{report}{END}\n"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in old and END in old:
        return old[: old.index(BEGIN)] + block + old[old.index(END) + len(END) + 1 :]
    return block


class Command(BaseCommand):
    help = (
        "Benchmark the API, the pages, the similar-claim lookup, analysis and extraction at benchmark scale. "
        "Runs only on a database whose name starts with 'bench'; creates, migrates and fills it when it is empty."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="Timed runs per endpoint (default 20).")
        parser.add_argument("--write", type=Path, default=None, help="Write the report here (markdown).")
        parser.add_argument("--no-fill", action="store_true", help="Do not generate data into an empty database.")
        parser.add_argument("--only", default="", help="Measure only the rows whose name contains this.")
        parser.add_argument("--skip-analysis", action="store_true", help="Leave out bench_analysis/bench_extraction.")

    def handle(self, *args, runs: int, write: Path | None, no_fill: bool, skip_analysis: bool, only: str, **options):
        name = settings.DATABASES["default"]["NAME"]
        if not str(name).startswith("bench"):
            raise CommandError(
                f"the benchmark runs on its own database (named bench...), not on {name!r}: "
                "set DATABASE_URL=postgresql://postgres@127.0.0.1:54329/bench_1m (see docs/benchmarks.md)"
            )
        self._create_database(name)
        call_command("migrate", verbosity=0, interactive=False)
        generated = ""
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM claims_claim)")
            filled = cursor.fetchone()[0]
        if not filled:
            if no_fill:
                raise CommandError(f"{name} is empty and --no-fill was given")
            out = io.StringIO()
            started = time.perf_counter()
            call_command("generate_data", stdout=out)
            generated = f"{time.perf_counter() - started:.0f} s\n\n" + out.getvalue()
            self.stdout.write(out.getvalue())
        bench.api_throttle_off()
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        fx = bench.fixture()
        rows = bench.measure_requests(fx, runs=runs, progress=self.stdout.write, only=only)
        lookup = None
        if not only or only in "lookup similar-claim lookup (claims.linking.claim_match)":
            lookup = bench.measure_claim_match(fx, runs=runs, progress=self.stdout.write)
        near = None
        if not only or only in "lookup near-duplicate check (MinHash bands, candidates, containment)":
            near = bench.measure_near_duplicate(runs=runs, progress=self.stdout.write)
        extra = "" if skip_analysis else self._analysis()
        report = self._report(rows, [r for r in (lookup, near) if r], extra, generated, runs)
        if write:
            write.write_text(_spliced(write, report), encoding="utf-8")
            self.stdout.write(f"written to {write}")
        else:
            self.stdout.write(report)

    def _create_database(self, name: str) -> None:
        from tools.bench.scale import database_create_if_missing

        if database_create_if_missing(name):
            self.stdout.write(f"created database {name}")

    def _analysis(self) -> str:
        parts = []
        for command in ("bench_analysis", "bench_extraction"):
            out = io.StringIO()
            try:
                call_command(command, stdout=out)
            except Exception as exc:
                parts.append(f"`{command}` failed: {exc}")
                continue
            text = out.getvalue().strip()
            self.stdout.write(text)
            match = re.search(r"texts (\d+)\s+words (\d+)", text)
            if match:
                per_article = int(match[2]) / int(match[1])
                rates = re.findall(r"(bare spaCy|full analysis)\s+(\d+) words/s", text)
                text += "\n" + "\n".join(
                    f"{label:14} {float(wps) / per_article:8.2f} articles/s ({per_article:.0f} words per article)"
                    for label, wps in rates
                )
            parts.append(f"`manage.py {command}`:\n\n```\n{text}\n```")
        return "\n\n".join(parts)

    def _report(self, rows, lookups, extra: str, generated: str, runs: int) -> str:
        counts = bench.counts()
        lines = [
            "# Benchmarks at a million claims",
            "",
            "Written by `manage.py bench` (tools/bench/scale.py); do not edit by hand, run it again.",
            "",
            f"- machine: {bench.machine()}",
            "- data: " + ", ".join(f"{n:,} {t.split('_', 1)[1]}" for t, n in counts.items()),
            f"- command: `{' '.join(shlex.quote(a) for a in ['make', 'bench'])}` "
            f"(= `DATABASE_URL=postgresql://postgres@127.0.0.1:54329/bench_1m {Path(sys.executable).name} "
            f"manage.py bench --write docs/benchmarks.md`)",
            f"- {runs} timed runs per row after 2 warm-up runs, in one process through Django's test client "
            "(no network); API calls carry an API token, pages a signed-in analyst's session.",
            "- our SQL: the median, over the runs, of the time the request's own queries took to execute and "
            "fetch (summed through `connection.execute_wrapper`); the rest of p50 is Django, DRF, templates.",
            "- floor: the median time of hand-written SQL fetching the same rows over the same connection; "
            "SQL ratio = our SQL / floor (are the queries good?); ratio = p50 / floor (the whole request).",
            "- cold: the row's first request, before its warm-up runs (right after generation or a restart: plans "
            "and pages not cached yet), and its own SQL in that request; p50, p95 and our SQL are the warm runs.",
            "- the machine's other jobs move absolute times (about 2x between runs on these shared cores): compare "
            "the SQL ratio and the query counts, which a busy machine moves far less.",
            "",
            "| | endpoint or page | cold ms (SQL) | p50 ms | p95 ms | queries | our SQL ms | SQL floor ms | SQL ratio "
            "| ratio |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in [*rows, *lookups]:
            floor = f"{sorted(row.floor)[len(row.floor) // 2]:.1f}" if row.floor else "–"
            ratio = f"{row.ratio:.1f}x" if row.ratio else "–"
            sql = f"{row.sql_p50:.1f}" if row.sql else "–"
            sql_ratio = f"{row.sql_ratio:.1f}x" if row.sql_ratio else "–"
            cold = f"{row.cold:.1f} ({row.cold_sql:.1f})" if row.cold is not None else "–"
            lines.append(
                f"| {row.group} | {row.name} | {cold} | {row.p50:.1f} | {row.p95:.1f} | {row.queries} | {sql} "
                f"| {floor} | {sql_ratio} | {ratio} |"
            )
        if generated:
            lines += ["", "## Data generation", "", f"`manage.py generate_data` (default scale): {generated}"]
        if extra:
            lines += ["", "## Analysis and extraction throughput (one core)", "", extra]
        return "\n".join(lines) + "\n"
