"""The ingestion benchmark's parts: distinct article pages, the local site serving them, and the report's figures.

Used by `manage.py bench_ingestion`; see docs/ingestion.md (Benchmark).
"""

from __future__ import annotations

import html
import json
import re
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from sources.dedup import shingles_containment, text_shingles
from sources.demo_site import LocalSite
from tools.bench.make_pages import page

OUTLET_NAME = "Ingestion Bench"
PUBLISHED = datetime(2026, 1, 5, tzinfo=UTC)


def _dated(page_html: str) -> str:
    # The generated pages are dated in 2020. bench_1m's claims were first reported in 2024-2025: a page older than
    # the claim it is linked to would move the claim's first-report date back and leave a trace after clean-up.
    return re.sub(r"2020-(\d\d)-(\d\d)", lambda m: f"2026-{int(m[1]) % 9 + 1:02d}-{m[2]}", page_html)


def article_pages(count: int) -> list[tuple[str, str]]:
    """(path, html) of `count` different articles: page 0-23 are the committed bench pages (tools/bench/pages,
    made by make_pages.page(n) with seed 1000 + n), further ones the same generator with the next seeds."""
    return [(f"/news/{number:04d}-story.html", _dated(page(number))) for number in range(count)]


def max_containment(texts: list[str]) -> float:
    """The highest share of one text's 5-word shingles found in another: dedup calls a pair near duplicates
    from INGEST_NEAR_DUPLICATE_PERCENT (85 %) up."""
    shingles = [text_shingles(text) for text in texts]
    best = 0.0
    for i in range(len(shingles)):
        for j in range(i):
            best = max(best, shingles_containment(shingles[i], shingles[j]))
    return best


def feed_xml(*, base_url: str, pages: list[tuple[str, str]]) -> str:
    items = []
    for path, page_html in pages:
        title = re.search(r"<title>(.*?)</title>", page_html)
        items.append(
            f"    <item><title>{title[1] if title else path}</title><link>{base_url}{path}</link>"
            f"<guid isPermaLink=\"false\">{html.escape(path)}</guid>"
            f"<pubDate>{format_datetime(PUBLISHED, usegmt=True)}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{OUTLET_NAME}</title><link>{base_url}/</link><description>Benchmark articles</description>\n"
        + "\n".join(items) + "\n</channel></rss>\n"
    )


class BenchSite(LocalSite):
    """The articles and their RSS feed on 127.0.0.1 and a free port, from a thread; a context manager."""

    name = "bench-site"

    def __init__(self, pages: list[tuple[str, str]]) -> None:
        self._articles = pages
        super().__init__()

    def _pages(self, base_url: str) -> dict[str, tuple[str, bytes]]:
        return {
            "/feed.xml": ("application/rss+xml; charset=utf-8",
                          feed_xml(base_url=base_url, pages=self._articles).encode()),
            **{path: ("text/html; charset=utf-8", body.encode()) for path, body in self._articles},
        }


# --- The figures ---------------------------------------------------------------------------------------------

POLL, ITEM, ANALYSIS = "sources.poll_feed", "sources.ingest_item", "claims.analyse_revision"
ANALYSIS_STAGES = ("parties", "analysis", "claim matching", "claims written", "speakers", "statements written")
# The rows of the breakdown, in pipeline order: (label, task, how to get its seconds from a task record).
ROWS = [
    ("feed poll (fetch + parse the feed, queue items)", POLL, lambda r: r["seconds"]),
    ("fetch (HTTP, SSRF guard, host slot)", ITEM, lambda r: r["stages"].get("fetch", 0)),
    ("extract (decode + trafilatura)", ITEM, lambda r: r["stages"].get("extract", 0)),
    ("dedup (MinHash bands, near-duplicate check)", ITEM, lambda r: r["stages"].get("dedup", 0)),
    ("store (article, revision, item, run; hand-over)", ITEM,
     lambda r: r["stages"].get("store", 0) - r["stages"].get("dedup", 0)),
    ("item bookkeeping (load item, attempts)", ITEM,
     lambda r: r["seconds"] - sum(r["stages"].get(s, 0) for s in ("fetch", "extract", "store"))),
    ("parties read: changes since the last article, all on a rebuild", ANALYSIS,
     lambda r: r["stages"].get("parties", 0)),
    ("analysis: party index (PartyResolver built, or new parties added)", ANALYSIS,
     lambda r: r["stages"].get("party index", 0)),
    ("analysis: spaCy + attribution rules", ANALYSIS,
     lambda r: r["stages"].get("analysis", 0) - r["stages"].get("party index in analysis", 0)),
    ("claim matching (claim_match)", ANALYSIS, lambda r: r["stages"].get("claim matching", 0)),
    ("new claims written (claim_create, with its embedding)", ANALYSIS, lambda r: r["stages"].get("claims written", 0)),
    ("speakers resolved or proposed as parties", ANALYSIS, lambda r: r["stages"].get("speakers", 0)),
    ("statements written (statement_create_many, locks aside)", ANALYSIS,
     lambda r: r["stages"].get("statements written", 0) - r["stages"].get("claim locks in statements written", 0)),
    ("claims locked for the statements (claims_lock_live: waits for other analyses)", ANALYSIS,
     lambda r: r["stages"].get("claim locks", 0)),
    ("rest of the analysis task (reviewed-statement check, stale statements removed, commit)", ANALYSIS,
     lambda r: r["seconds"] - sum(r["stages"].get(s, 0) for s in ANALYSIS_STAGES)
     # the party index built outside `analyse` (linking.party_resolver, once per change of the parties)
     - (r["stages"].get("party index", 0) - r["stages"].get("party index in analysis", 0))),
]


@dataclass
class RunFigures:
    """One timed run: `concurrency` worker processes from the feed poll to the last article analysed."""

    concurrency: int
    articles: int  # articles analysed
    wall: float  # seconds, poll queued -> last analysis finished
    stages: list[tuple[str, float]]  # (row label, seconds summed over the run's tasks)
    overhead: float  # worker-process seconds outside any task body: queue, dispatch, idle
    tasks: dict[str, int]  # task name -> tasks run
    claim_lookups: int
    preload: float  # seconds to load the language models, once per worker process (not in the figures)
    counts: dict[str, int] = field(default_factory=dict)  # what the run stored

    @property
    def per_hour(self) -> float:
        return self.articles / self.wall * 3600 if self.wall else 0.0

    @property
    def capacity(self) -> float:
        return self.concurrency * self.wall

    def bottleneck(self) -> tuple[str, float]:
        return max([*self.stages, ("queue, dispatch and idle", self.overhead)], key=lambda row: row[1])

    def as_dict(self) -> dict:
        return {
            "concurrency": self.concurrency, "articles": self.articles, "wall_seconds": round(self.wall, 3),
            "articles_per_hour": round(self.per_hour, 1), "stages": {k: round(v, 4) for k, v in self.stages},
            "queue_dispatch_idle_seconds": round(self.overhead, 3), "tasks": self.tasks,
            "claim_lookups": self.claim_lookups, "preload_seconds": round(self.preload, 2), "counts": self.counts,
            "bottleneck": self.bottleneck()[0],
        }


def task_records(directory: Path) -> list[dict]:
    records = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            record["seconds"] = record["end"] - record["start"]
            records.append(record)
    return records


def analysed_revisions(records: list[dict], *states: str) -> set[int]:
    """Revisions whose analysis task ended in one of `states` (a retried attempt ends in RETRY)."""
    return {r["kwargs"].get("revision_id") for r in records if r["task"] == ANALYSIS and r.get("state") in states}


def run_figures(*, concurrency: int, started: float, records: list[dict], preload: float,
                counts: dict[str, int]) -> RunFigures:
    analyses = [r for r in records if r["task"] == ANALYSIS]
    ended = max((r["end"] for r in analyses), default=started)
    wall = ended - started
    stages = [(label, sum(get(r) for r in records if r["task"] == task)) for label, task, get in ROWS]
    busy = sum(r["seconds"] for r in records if r["start"] < ended)
    tasks: dict[str, int] = {}
    for record in records:
        key = record["task"] + ("" if record.get("state") == "SUCCESS" else f" ({record.get('state', '?').lower()})")
        tasks[key] = tasks.get(key, 0) + 1
    return RunFigures(
        concurrency=concurrency, articles=len(analysed_revisions(records, "SUCCESS")), wall=wall, stages=stages,
        overhead=max(0.0, concurrency * wall - busy), tasks=tasks,
        claim_lookups=sum(r["calls"].get("claim matching", 0) for r in analyses), preload=preload, counts=counts,
    )


def report(runs: list[RunFigures], *, articles: int, containment: float, machine: str, data: str, command: str) -> str:
    """The readable block: throughput per worker count, scaling, and the per-stage breakdown of each run."""
    lines = [
        f"- machine: {machine}",
        f"- database: {data}",
        f"- command: `{command}`",
        f"- {articles} articles (tools/bench/pages and the same generator's next seeds; the closest pair shares "
        f"{containment:.0%} of its 5-word shingles, dedup's near-duplicate threshold is 85 %), served with an RSS feed "
        "from 127.0.0.1; one `celery -A config worker` (prefork, `--concurrency N`, the compose worker's shape), "
        "timed from queueing the feed poll to the last `claims.analyse_revision` finished.",
        "",
        "| worker processes | articles | wall s | articles/hour | speed-up | bottleneck |",
        "| ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    base = runs[0].per_hour if runs else 0
    for run in runs:
        name, seconds = run.bottleneck()
        lines.append(
            f"| {run.concurrency} | {run.articles} | {run.wall:.1f} | {run.per_hour:,.0f} | "
            f"{run.per_hour / base if base else 0:.2f}x | {name}: {seconds / run.capacity:.0%} of process time |"
        )
    for run in runs:
        lines += [
            "",
            f"Stages with {run.concurrency} worker process{'es' if run.concurrency > 1 else ''} "
            f"({run.concurrency} x {run.wall:.1f} s = {run.capacity:.1f} process-seconds; "
            f"{run.claim_lookups} claim lookups; tasks: "
            + ", ".join(f"{n} {name}" for name, n in sorted(run.tasks.items())) + "):",
            "",
            "Stored: " + ", ".join(f"{n} {what}" for what, n in run.counts.items()) + ".",
            "",
            "| stage | total s | ms per article | share |",
            "| --- | ---: | ---: | ---: |",
        ]
        for label, seconds in [*run.stages, ("queue, dispatch and idle (process time outside tasks)", run.overhead)]:
            lines.append(
                f"| {label} | {seconds:.2f} | {seconds / run.articles * 1000 if run.articles else 0:,.1f} | "
                f"{seconds / run.capacity:.1%} |"
            )
        if run.claim_lookups:
            matching = dict(run.stages)["claim matching (claim_match)"]
            lines.append(f"\nclaim_match: {matching / run.claim_lookups * 1000:,.1f} ms per lookup (mean).")
    if runs:
        lines.append(
            f"\nNot in the figures: loading the language models, {statistics.median(r.preload for r in runs):.1f} s "
            "once per worker process (done before the pool forks)."
        )
    return "\n".join(lines) + "\n"
