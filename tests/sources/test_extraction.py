"""Extraction: the demo pages give back the demo texts, and our wrapping keeps trafilatura's own text."""

import re
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
import trafilatura
from django.core.management import call_command

from sources.demo_site import article_page, demo_articles
from sources.enums import ArticleStatus
from sources.extraction import html_extract, text_dateline, title_strip
from sources.models import Article, ArticleRevision, Feed, IngestionRun, Outlet
from tools.bench.make_pages import PAGES_DIR

BENCH_PAGES = sorted(PAGES_DIR.glob("*.html"))


def _body(demo) -> str:
    """The demo text under its headline (extraction keeps the headline as the title), without a final newline."""
    return demo.body.rstrip("\n")


@pytest.mark.parametrize("demo", demo_articles(), ids=lambda d: d.slug)
def test_a_demo_page_extracts_to_its_text_file_except_a_final_newline(demo):
    extracted = html_extract(html=article_page(demo), url=f"http://127.0.0.1:8000{demo.path}")

    assert extracted.text == _body(demo)
    assert (extracted.title, extracted.published_at, extracted.language, extracted.canonical_url) == (
        demo.title, datetime(2020, 9, 29, tzinfo=UTC), "en", demo.canonical_url
    )


def test_the_demo_texts_keep_their_line_breaks_inside_sentences():
    article_2 = next(d for d in demo_articles() if d.slug == "article-2")
    extracted = html_extract(html=article_page(article_2), url="http://127.0.0.1:8000/a")

    assert "raising concerns that\nfighting could spread" in extracted.text
    assert "in part because\ntheir governments were distracted" in extracted.text


@pytest.mark.parametrize("path", BENCH_PAGES, ids=lambda p: p.stem)
def test_our_text_is_trafilaturas_own_text_with_blank_lines_between_paragraphs(path: Path):
    html = path.read_text(encoding="utf-8")

    ours = html_extract(html=html, url=f"https://news.example/{path.stem}")
    theirs = trafilatura.extract(html, url=f"https://news.example/{path.stem}", include_comments=False)

    # trafilatura's text, less the headline it repeats as the first line (kept as the title)
    assert ours.text.replace("\n\n", "\n") == title_strip(theirs, ours.title)
    assert ours.title and not ours.text.startswith(ours.title)
    ours = ours.text
    assert "cookies" not in ours and "Most read" not in ours and "reader" not in ours


def test_metadata_comes_from_the_page():
    html = BENCH_PAGES[0].read_text(encoding="utf-8")
    published = re.search(r'"datePublished": "([^"]+)"', html).group(1)

    extracted = html_extract(html=html, url="https://news.example/p0")

    assert (extracted.byline, extracted.language, extracted.title) == (
        "Anna Petrosyan", "en", "Warsaw: The election would go ahead as planned"
    )
    assert extracted.published_at == datetime.fromisoformat(published)


@pytest.mark.parametrize(("text", "dateline"), [
    ("Baku, Azerbaijan – UN Security Council expressed concern", "Baku, Azerbaijan"),
    ("MOSCOW (Reuters) - Russia said on Tuesday", "MOSCOW"),
    ("GENEVA — Talks resumed", "GENEVA"),
    ("Armenia said Tuesday that Azerbaijan was employing longer range weapons", ""),
    ("In Nagorno-Karabakh, signs of escalating and widening conflict.", ""),
])
def test_datelines_are_recognised_at_the_start_of_the_text(text, dateline):
    assert text_dateline(text) == dateline


def test_ingest_demo_ingests_both_articles_through_the_pipeline_and_twice_adds_nothing(db, capsys):
    call_command("ingest_demo", verbosity=2)
    first = capsys.readouterr().out
    call_command("ingest_demo", verbosity=2)
    second = capsys.readouterr().out

    articles = {a.canonical_url: a for a in Article.objects.all()}
    assert sorted(articles) == [d.canonical_url for d in demo_articles()]
    for demo in demo_articles():
        article = articles[demo.canonical_url]
        revision = article.revisions.get()
        assert revision.text == _body(demo)
        assert (article.status, article.outlet.name, article.published_at.date().isoformat()) == (
            ArticleStatus.FETCHED, "Demo Wire", "2020-09-29"
        )
    first_article, second_article = (articles[d.canonical_url] for d in demo_articles())
    assert (first_article.dateline, first_article.title, second_article.title) == (
        "Baku, Azerbaijan", "UN Security Council voices concern over Armenia–Azerbaijan clashes",
        "In Nagorno-Karabakh, signs of escalating and widening conflict.",
    )
    assert (Outlet.objects.count(), Feed.objects.count(), ArticleRevision.objects.count()) == (1, 1, 2)
    assert Feed.objects.get().is_active is False  # beat must not poll a server that is gone
    assert IngestionRun.objects.count() == 2
    assert "2 entries, 2 new" in first and "2 entries, 0 new" in second
    assert "text vs article-2.txt: identical" in first
    port = int(re.search(r"127\.0\.0\.1:(\d+)", first).group(1))
    with pytest.raises(ConnectionRefusedError):  # the demo's server was stopped
        socket.create_connection(("127.0.0.1", port), timeout=1)


def test_the_headline_repeated_above_the_story_is_the_title_and_not_the_text():
    html = """<html><head><title>Ferry service resumes | The Island Post</title></head><body><article>
<h1>Ferry service resumes</h1><p>Ferry service resumes</p>
<p>The Harbour Authority said on Tuesday that the ferry to the islands would run again from Friday.</p>
<p>Bookings have doubled since the announcement, the operator said in a statement on its website.</p>
</article></body></html>"""

    extracted = html_extract(html=html, url="https://island.example/ferry")

    assert extracted.title.startswith("Ferry service resumes")
    assert extracted.text.startswith("The Harbour Authority said on Tuesday")


@pytest.mark.parametrize(("text", "title", "body"), [
    ("Ferry resumes\n\nThe ferry runs again.", "Ferry resumes", "The ferry runs again."),
    ("Ferry resumes\nThe ferry runs again.", "Ferry resumes | The Island Post", "The ferry runs again."),
    ("The ferry runs again.\n\nFerry resumes", "Ferry resumes", "The ferry runs again.\n\nFerry resumes"),
    ("Ferry\n\nThe ferry runs.", "Ferry resumes on the island route after a week", "Ferry\n\nThe ferry runs."),
])
def test_title_strip_takes_only_a_repeated_headline(text, title, body):
    assert title_strip(text, title) == body


def test_ingest_demo_by_default_prints_what_was_ingested_not_debugging_lines(db, capsys):
    call_command("ingest_demo")
    out = capsys.readouterr().out
    assert ("Polled Demo Wire: 2 entries, 2 new" in out, "text vs" in out, "title=" in out) == (True, False, False)
    assert "  “UN Security Council voices concern over Armenia–Azerbaijan clashes” (Demo Wire, 29 Sep 2020)" in out
