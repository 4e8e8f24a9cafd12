"""`manage.py bench_ingestion`: articles per hour through the whole pipeline with 1 and 2 worker processes."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from claims.enums import Origin
from claims.models import Claim, Party, Statement
from sources.enums import ArticleStatus, IngestionStatus, ItemStatus
from sources.extraction import html_extract
from sources.models import Article, ArticleRevision, Feed, IngestionItem, IngestionRun, Outlet
from tools.bench import ingestion
from tools.bench.scale import machine

REPO = Path(__file__).resolve().parents[3]
# The tables a run writes (through the pipeline, the analysis and its triggers): each must have as many rows after
# the clean-up as before. Others (API tokens, verdict history) may change meanwhile on a shared bench database.
WRITTEN = ("claim", "claimembedding", "claimstance", "party", "partyalias", "statement", "webhookdelivery", "article",
           "articlerevision", "feed", "ingestionitem", "ingestionrun", "outlet")
BEGIN, END = "<!-- bench_ingestion:{name}:begin -->", "<!-- bench_ingestion:{name}:end -->"
SECTION = "## Ingestion throughput (`manage.py bench_ingestion`)"


def _spliced(old: str, name: str, block: str) -> str:
    """The file with this database's block replaced, or added at the end under the section heading."""
    begin, end = BEGIN.format(name=name), END.format(name=name)
    block = f"{begin}\n{block}{end}\n"
    if begin in old and end in old:
        return old[: old.index(begin)] + block + old[old.index(end) + len(end) + 1 :]
    heading = "" if SECTION in old else f"\n{SECTION}\n\n"
    return old.rstrip("\n") + "\n" + heading + "\n" + block


class Command(BaseCommand):
    help = (
        "Measure articles per hour through the whole ingestion pipeline (feed poll, fetch from a local server, "
        "extract, dedup and store, analysis with claim matching) with a real Celery worker of 1 and then 2 "
        "processes. Runs only on a database whose name starts with 'bench' (created and migrated if missing); "
        "removes what each run stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=48, help="Articles in the feed (default 48).")
        parser.add_argument("--workers", default="1,2", help="Worker process counts to run, in order (default 1,2).")
        parser.add_argument("--timeout", type=int, default=1800, help="Seconds a run may take (default 1800).")
        parser.add_argument("--write", type=Path, default=None, help="Write the report into this markdown file.")
        parser.add_argument("--json", dest="json_path", type=Path, default=None, help="Write the figures as JSON here.")
        parser.add_argument("--keep", action="store_true", help="Keep what the last run stored (for inspection).")

    def handle(self, *args, articles: int, workers: str, timeout: int, write: Path | None, json_path: Path | None,
               keep: bool, **options):
        name = settings.DATABASES["default"]["NAME"]
        testing = settings.APP_ENV == "test" and str(name).startswith("test_")  # pytest's throwaway database
        if not (str(name).startswith("bench") or testing):
            raise CommandError(
                f"the ingestion benchmark runs on its own database (named bench...), not on {name!r}: "
                "set DATABASE_URL=postgresql://postgres@127.0.0.1:54329/bench_ingest (see docs/benchmarks.md)"
            )
        try:
            counts = [int(n) for n in workers.split(",")]
        except ValueError:
            raise CommandError(f"--workers takes worker process counts such as 1,2, not {workers!r}") from None
        if not counts or min(counts) < 1 or articles < 1:
            raise CommandError("--articles and every --workers count must be at least 1")
        if not testing:
            self._create_database(name)
            call_command("migrate", verbosity=0, interactive=False)
        self._broker_check()
        self._clean_leftovers()

        pages = ingestion.article_pages(articles)
        texts = [html_extract(html=body, url="http://bench/").text for _, body in pages]
        containment = ingestion.max_containment(texts)
        if containment * 100 >= settings.INGEST_NEAR_DUPLICATE_PERCENT:
            raise CommandError(f"two benchmark articles are near duplicates ({containment:.0%} shared)")
        before = self._table_counts()
        self.stdout.write(f"{articles} articles, closest pair shares {containment:.0%}; database {name}: "
                          + ", ".join(f"{n:,} {t}" for t, n in before.items()))
        runs = []
        for index, concurrency in enumerate(counts):
            runs.append(self._run(pages, concurrency, timeout, keep=keep and index == len(counts) - 1))
            self.stdout.write(f"  {concurrency} worker process(es): {runs[-1].articles} articles in "
                              f"{runs[-1].wall:.1f} s = {runs[-1].per_hour:,.0f} articles/hour")

        db = settings.DATABASES["default"]
        command = (
            f"DEBUG=0 DATABASE_URL=postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{name} "
            f"EMBEDDED_REDIS_DB={settings.REDIS_URL.rsplit('/', 1)[-1]} manage.py bench_ingestion "
            + " ".join(map(shlex.quote, sys.argv[2:] if sys.argv[1:2] == ["bench_ingestion"] else []))
        ).strip()
        plural = {"claim": "claims", "statement": "statements", "party": "parties"}
        data = f"{name} (" + ", ".join(f"{before[t]:,} {label}" for t, label in plural.items()) + ")"
        text = ingestion.report(runs, articles=articles, containment=containment, machine=machine(), data=data,
                                command=command)
        self.stdout.write("\n" + text)
        if json_path:
            figures = {"database": name, "articles": articles, "containment": containment,
                       "runs": [r.as_dict() for r in runs]}
            json_path.write_text(json.dumps(figures, indent=2), encoding="utf-8")
        if write:
            old = write.read_text(encoding="utf-8") if write.exists() else ""
            write.write_text(_spliced(old, name, text), encoding="utf-8")
            self.stdout.write(f"written to {write}")
        after = self._table_counts()
        left = {t: after[t] - before[t] for t in WRITTEN if not keep and after[t] != before[t]}
        if left:
            raise CommandError(f"clean-up left rows behind (table: rows more than before): {left}")

    # --- set-up ------------------------------------------------------------------------------------------

    def _create_database(self, name: str) -> None:
        from tools.bench.scale import database_create_if_missing

        if database_create_if_missing(name):
            self.stdout.write(f"created database {name}")

    def _broker_check(self) -> None:
        """Our tasks go to the project's queues: no other worker may be listening on this Redis database."""
        from config.celery import app

        if settings.USE_EMBEDDED_REDIS:
            from config import embedded

            embedded.ensure_redis()
        answers = app.control.ping(timeout=1.0)
        if answers:
            raise CommandError(
                f"workers already listen on {settings.REDIS_URL} ({', '.join(k for a in answers for k in a)}); "
                "they would take the benchmark's tasks: use a Redis database of its own (EMBEDDED_REDIS_DB)"
            )
        app.control.purge()  # left-overs of an interrupted run

    def _table_counts(self) -> dict[str, int]:
        """Rows in every table of the two apps: a run must leave the database as it found it."""
        models = [m for app in ("claims", "sources") for m in apps.get_app_config(app).get_models()]
        tables = sorted(m._meta.db_table for m in models)
        with connection.cursor() as cursor:
            out = {}
            for table in tables:
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 -- the apps' own table names
                out[table.split("_", 1)[1]] = cursor.fetchone()[0]
        return out

    def _worker(self, concurrency: int, timings: Path) -> tuple[subprocess.Popen, object]:
        db = settings.DATABASES["default"]
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL, "APP_ENV": settings.APP_ENV, "DEBUG": "0",
            "INGEST_ALLOWED_HOSTS": "127.0.0.1",  # the bench site, as the demo allows it; the SSRF guard stays on
        })
        log_path = REPO / "var" / f"bench-ingestion-worker-{db['NAME']}-{concurrency}.log"
        log_path.parent.mkdir(exist_ok=True)
        log = open(log_path, "w")  # noqa: SIM115 -- closed when the worker stops
        process = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
            [sys.executable, "-m", "tools.bench.worker", str(timings), "worker", "--pool", "prefork",
             "--concurrency", str(concurrency), "--loglevel", "INFO", "--without-gossip", "--without-mingle",
             "--hostname", f"bench-ingestion-{os.getpid()}@%h"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        from config.celery import app

        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                raise CommandError(f"the benchmark worker did not come up; see {log_path}")
            if app.control.ping(timeout=1.0):
                break
        return process, log

    # --- one run -----------------------------------------------------------------------------------------

    def _run(self, pages, concurrency: int, timeout: int, *, keep: bool) -> ingestion.RunFigures:
        with tempfile.TemporaryDirectory(prefix="bench-ingestion-") as tmp, ingestion.BenchSite(pages) as site:
            timings = Path(tmp)
            tag = f"{os.getpid()}-{concurrency}"
            outlet = Outlet.objects.create(name=f"{ingestion.OUTLET_NAME} {tag}", domain=f"bench-{tag}.invalid",
                                           language="en")
            # Active (the poll task skips paused feeds) but not due for years: no beat polls it on its own.
            feed = Feed.objects.create(
                outlet=outlet, url=site.feed_url, title=ingestion.OUTLET_NAME, poll_interval_minutes=24 * 60,
                next_poll_at=timezone.now() + timedelta(days=3650),
            )
            try:
                process, log = self._worker(concurrency, timings)
                try:
                    from sources.tasks import poll_feed

                    started = time.time()
                    poll_feed.delay(feed_id=feed.pk)
                    self._wait(feed=feed, timeout=timeout, timings=timings, process=process)
                finally:
                    process.terminate()
                    try:
                        process.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        process.kill()
                    log.close()
                records = ingestion.task_records(timings)
                preload = json.loads((timings / "preload.json").read_text())["seconds"]
                figures = ingestion.run_figures(concurrency=concurrency, started=started, records=records,
                                                preload=preload, counts=self._stored(feed))
            finally:
                if not keep:
                    self._clean(outlet=outlet)
        return figures

    def _wait(self, *, feed: Feed, timeout: int, timings: Path, process: subprocess.Popen) -> None:
        """Until the poll's run is finished and every revision handed to the analysis has a final analysis task
        (succeeded, or failed for good) on record."""
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise CommandError("the benchmark worker stopped during the run; see var/bench-ingestion-worker-*.log")
            run = IngestionRun.objects.filter(feed=feed).first()
            if run is not None and run.status != IngestionStatus.RUNNING:
                handed = set(
                    ArticleRevision.objects.filter(article__feed=feed)
                    .exclude(article__status=ArticleStatus.DUPLICATE).values_list("pk", flat=True)
                )
                if handed <= ingestion.analysed_revisions(ingestion.task_records(timings), "SUCCESS", "FAILURE"):
                    return
            if time.monotonic() > deadline:
                raise CommandError(f"the run did not finish within {timeout} s (see the worker's log in var/)")
            time.sleep(0.2)

    def _stored(self, feed: Feed) -> dict[str, int]:
        items = IngestionItem.objects.filter(run__feed=feed)
        return {
            "items": items.count(),
            "items new": items.filter(status=ItemStatus.NEW).count(),
            "items failed": items.filter(status=ItemStatus.FAILED).count(),
            "articles": Article.objects.filter(feed=feed).count(),
            "articles analysed": Article.objects.filter(feed=feed, status=ArticleStatus.ANALYSED).count(),
            "articles not analysed": Article.objects.filter(feed=feed, status=ArticleStatus.FETCHED).count(),
            "articles duplicate": Article.objects.filter(feed=feed, status=ArticleStatus.DUPLICATE).count(),
            "revisions": ArticleRevision.objects.filter(article__feed=feed).count(),
            "statements": Statement.objects.filter(article__feed=feed).count(),
            "statements with a claim": Statement.objects.filter(article__feed=feed, claim__isnull=False).count(),
        }

    def _clean(self, *, outlet: Outlet) -> None:
        """Remove what a run stored: its statements, the claims and parties it proposed (made since its outlet
        was and left without statements), its articles, runs, feed and outlet. Older claims and parties are
        never removed; their counters and stance summaries follow the statements' triggers."""
        since = outlet.created_at
        with transaction.atomic():
            Statement.objects.filter(article__outlet=outlet).delete()
            Claim.objects.filter(created_at__gte=since, origin=Origin.EXTRACTED, statements=None).delete()
            Party.objects.filter(created_at__gte=since, origin=Origin.EXTRACTED, statements=None,
                                 children=None).delete()
            IngestionRun.objects.filter(feed__outlet=outlet).delete()
            Article.objects.filter(outlet=outlet).delete()
            outlet.delete()  # and its feed

    def _clean_leftovers(self) -> None:
        """What an interrupted run (a killed command) left behind."""
        for outlet in Outlet.objects.filter(name__startswith=f"{ingestion.OUTLET_NAME} "):
            self.stdout.write(f"removing what an interrupted run left: {outlet.name}")
            self._clean(outlet=outlet)
