"""`manage.py bench_ingestion` end to end at a tiny scale: a real worker, a real local site, real analysis."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.models import Statement
from sources.enums import ArticleStatus, ItemStatus
from sources.extraction import html_extract
from sources.models import Article, ArticleRevision, IngestionItem
from tools.bench.ingestion import ANALYSIS_STAGES, ROWS, article_pages, max_containment
from tools.management.commands.bench_ingestion import _spliced

ARTICLES = 3


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_tiny_run_stores_and_analyses_every_article_once_and_reports_the_figures(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("<!-- bench:begin -->\nthe scale table\n<!-- bench:end -->\n\nnotes\n", encoding="utf-8")
    out = io.StringIO()

    call_command("bench_ingestion", "--articles", str(ARTICLES), "--workers", "1", "--keep",
                 "--json", str(tmp_path / "figures.json"), "--write", str(doc), stdout=out)

    articles = Article.objects.all()
    assert sorted(a.status for a in articles) == [ArticleStatus.ANALYSED] * ARTICLES
    assert sorted(IngestionItem.objects.values_list("status", flat=True)) == [ItemStatus.NEW] * ARTICLES
    assert sorted(ArticleRevision.objects.values_list("article_id", flat=True)) == sorted(a.pk for a in articles)
    assert all(Statement.objects.filter(article=a).exists() for a in articles)

    figures = json.loads((tmp_path / "figures.json").read_text())
    [run] = figures["runs"]
    # One feed poll, one fetch per article, one analysis per article: nothing ran twice or failed.
    assert run["tasks"] == {"sources.poll_feed": 1, "sources.ingest_item": ARTICLES,
                            "claims.analyse_revision": ARTICLES}
    assert (run["concurrency"], run["articles"]) == (1, ARTICLES)
    assert run["counts"]["statements"] == Statement.objects.count()
    assert list(run["stages"]) == [label for label, _, _ in ROWS]
    # The worker observed the pipeline's marked stages (core.stages): the timed ones are not empty.
    timed = ("fetch (HTTP, SSRF guard, host slot)", "extract (decode + trafilatura)",
             "analysis: spaCy + attribution rules", "statements written (statement_create_many, locks aside)")
    assert all(run["stages"][label] > 0 for label in timed), run["stages"]
    assert run["articles_per_hour"] > 0 and run["wall_seconds"] > 0
    assert run["bottleneck"] in [*run["stages"], "queue, dispatch and idle"]

    text = doc.read_text(encoding="utf-8")
    assert text.startswith("<!-- bench:begin -->\nthe scale table\n<!-- bench:end -->\n\nnotes\n")
    assert text.count("<!-- bench_ingestion:") == 2  # this database's block, after the markers `bench` rewrites
    assert "articles/hour" in text and "| claim matching (claim_match) |" in text
    assert "articles/hour" in out.getvalue()


def test_a_second_report_replaces_its_block_and_keeps_the_rest():
    first = _spliced("<!-- bench:begin -->\nA\n<!-- bench:end -->\n", "bench_x", "one\n")
    second = _spliced(first + "\nhand-written notes\n", "bench_x", "two\n")
    third = _spliced(second, "bench_1m", "big\n")

    assert second.count("one") == 0 and second.count("two\n") == 1 and "hand-written notes" in second
    assert third.index("two") < third.index("big") and third.startswith("<!-- bench:begin -->\nA\n<!-- bench:end -->")
    assert third.count("## Ingestion throughput") == 1


def test_the_articles_are_different_articles_to_dedup():
    texts = [html_extract(html=body, url="https://news.example/").text for _, body in article_pages(30)]

    assert len(set(texts)) == 30
    assert max_containment(texts) < 0.85


def test_it_refuses_a_database_not_named_for_benchmarks(settings, monkeypatch):
    monkeypatch.setitem(settings.DATABASES["default"], "NAME", "claims")

    with pytest.raises(CommandError, match="bench"):
        call_command("bench_ingestion", "--articles", "1")


def test_bad_worker_counts_are_a_clear_error():
    with pytest.raises(CommandError, match="--workers"):
        call_command("bench_ingestion", "--workers", "one,two")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("bench_ingestion", "--workers", "0")


def test_every_stage_the_report_reads_is_marked_in_the_pipeline():
    from claims import linking, services
    from claims.analysis import extract, parties
    from sources import dedup, extraction, fetching
    from sources import services as ingestion_services

    marked = {
        getattr(f, "pipeline_stage", None)
        for f in (
            fetching.url_fetch, fetching.body_decode, extraction.html_extract, dedup.text_lsh_bands,
            ingestion_services.article_store, ingestion_services._duplicate_find,
            ingestion_services.revision_hand_to_analysis, linking._party_rows, linking.claim_match,
            linking.claim_decide, linking._proposed_party, extract.analyse, parties.PartyResolver.__init__,
            parties.PartyResolver.add,
            services.claim_create, services.statement_create_many, services.claims_lock_live,
        )
    }
    read = {"fetch", "extract", "store", "dedup", "parties", "party index", "analysis", "claim matching",
            "claims written", "speakers", "statements written", "claim locks"}
    assert read <= marked
    assert set(ANALYSIS_STAGES) <= marked
    # What the analysis calls to link a statement to a claim is timed as claim matching, not left in "the rest".
    assert linking.claim_decide.pipeline_stage == "claim matching"
